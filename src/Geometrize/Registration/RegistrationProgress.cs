namespace Geometrize.Registration;

/// <summary>Progress of a multiscale registration, reported after every iteration.</summary>
/// <param name="Level">0-based level (coarse to fine).</param>
/// <param name="Levels">Number of levels.</param>
/// <param name="Iteration">Iteration within the level (1-based).</param>
/// <param name="MaxIterations">Iteration budget of the level.</param>
/// <param name="Energy">Regularity and data energy after the iteration.</param>
/// <param name="Elapsed">Time since the registration started.</param>
/// <param name="Remaining">Estimated time left (null until it can be estimated).</param>
public readonly record struct RegistrationProgress(int Level, int Levels, int Iteration, int MaxIterations, EnergySplit Energy,
    TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>One line of <c>energy.csv</c>.</summary>
/// <param name="Level">0-based level.</param>
/// <param name="Iteration">Iteration within the level (0 = initial energy).</param>
/// <param name="Energy">Energy split.</param>
/// <param name="Seconds">Seconds since the start.</param>
public readonly record struct EnergyRecord(int Level, int Iteration, EnergySplit Energy, double Seconds);
