namespace Geometrize.Analysis.Influence;

/// <summary>An approximate solution s of (H + δI)·s = g and how far it is to be trusted.</summary>
/// <param name="Solution">s, length p.</param>
/// <param name="Converged">False when the solver stopped before meeting its criterion (the solution is then only an estimate).</param>
/// <param name="Iterations">Iterations used (0 for the exact solver).</param>
/// <param name="RelativeResidual">‖(H + δI)s − g‖ / ‖g‖ where the solver measured it (NaN when it did not).</param>
/// <param name="Warning">A message for the user when <paramref name="Converged"/> is false or the result is suspect; null otherwise.</param>
public sealed record InverseHvpResult(double[] Solution, bool Converged, int Iterations, double RelativeResidual, string? Warning);
