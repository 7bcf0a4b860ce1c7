namespace Geometrize.Analysis.Influence;

/// <summary>Solves (H + δI)·s = g for the Hessian H of an <see cref="IHessianOperator"/> and the solver's damping δ.</summary>
public interface IInverseHvpSolver
{
    /// <summary>Short name for reports: "exact", "cg" or "lissa".</summary>
    string Name { get; }

    /// <summary>The damping δ added to the Hessian.</summary>
    double Damping { get; }

    /// <summary>The settings, as name–value pairs for reports.</summary>
    IReadOnlyDictionary<string, double> Settings { get; }

    /// <summary>Returns s ≈ (H + δI)⁻¹ g.</summary>
    /// <exception cref="InvalidParameterException">g has the wrong length or is not finite.</exception>
    InverseHvpResult Solve(ReadOnlySpan<double> g);
}
