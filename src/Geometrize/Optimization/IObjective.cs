using System.Numerics;

namespace Geometrize.Optimization;

/// <summary>
/// A differentiable energy over a flat parameter vector (a momentum field, velocities, network weights).
/// </summary>
/// <typeparam name="T">float or double storage; energies are always double.</typeparam>
public interface IObjective<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of parameters.</summary>
    int Dimension { get; }

    /// <summary>Energy at <paramref name="x"/>; also writes its gradient into <paramref name="gradient"/>.</summary>
    /// <remarks>The gradient is the Riesz representer in the inner product the optimiser is given (Euclidean by
    /// default; a V-gradient when the problem supplies the V inner product), so ⟨gradient, δ⟩ is the directional
    /// derivative along δ.</remarks>
    double Evaluate(ReadOnlySpan<T> x, Span<T> gradient);

    /// <summary>Energy only (line searches call this); the default evaluates the gradient too.</summary>
    double Value(ReadOnlySpan<T> x) => Evaluate(x, new T[Dimension]);
}

/// <summary>An inner product on parameter vectors (Euclidean, or a metric such as the V inner product).</summary>
public delegate double InnerProduct<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A symmetric positive-definite operator M defining the inner product ⟨a, b⟩_M = a·(Mb) in which an objective's
/// gradient is given (e.g. h^d·K for momenta). Optimisers apply it a fixed small number of times per iteration.
/// </summary>
public delegate void MetricOperator<T>(ReadOnlySpan<T> a, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>What an optimiser reports after each accepted iteration.</summary>
/// <param name="Iteration">1-based iteration count.</param>
/// <param name="Energy">Energy after the step.</param>
/// <param name="GradientNorm">Norm of the gradient at the new point (in the optimiser's inner product).</param>
/// <param name="Step">Accepted step length.</param>
/// <param name="Evaluations">Energy evaluations so far (including line-search trials).</param>
public readonly record struct IterationInfo(int Iteration, double Energy, double GradientNorm, double Step, int Evaluations);

/// <summary>Why an optimiser stopped.</summary>
public enum StopReason
{
    /// <summary>The iteration budget was used.</summary>
    MaxIterations,
    /// <summary>The gradient norm fell below the tolerance (relative to its initial value).</summary>
    GradientTolerance,
    /// <summary>The relative energy decrease per iteration fell below the tolerance.</summary>
    EnergyTolerance,
    /// <summary>The line search could not decrease the energy (at a minimum up to round-off).</summary>
    LineSearchFailed,
    /// <summary>The caller cancelled.</summary>
    Cancelled,
}

/// <summary>Result of a minimisation.</summary>
/// <param name="Energy">Final energy.</param>
/// <param name="Iterations">Accepted iterations.</param>
/// <param name="Evaluations">Energy evaluations.</param>
/// <param name="Reason">Why it stopped.</param>
public sealed record OptimizationResult(double Energy, int Iterations, int Evaluations, StopReason Reason);

/// <summary>Settings shared by the optimisers.</summary>
public sealed record OptimizerOptions
{
    /// <summary>Iteration budget (default 100).</summary>
    public int MaxIterations { get; init; } = 100;
    /// <summary>Stop when ‖g‖ ≤ tolerance · ‖g₀‖ (default 1e-6).</summary>
    public double GradientTolerance { get; init; } = 1e-6;
    /// <summary>Stop when (E_{k−1} − E_k) ≤ tolerance · |E_k| (default 1e-7; 0 disables).</summary>
    public double EnergyTolerance { get; init; } = 1e-7;
    /// <summary>Armijo sufficient-decrease constant c₁ (default 1e-4).</summary>
    public double Armijo { get; init; } = 1e-4;
    /// <summary>Maximum backtracking halvings per line search (default 30).</summary>
    public int MaxBacktracks { get; init; } = 30;
    /// <summary>Called after each accepted iteration.</summary>
    public Action<IterationInfo>? Progress { get; init; }
    /// <summary>Throws <see cref="InvalidParameterException"/> for nonsensical settings.</summary>
    public OptimizerOptions Validate()
    {
        if (MaxIterations < 0) throw new InvalidParameterException("--iterations", $"must be zero or positive, got {MaxIterations}.");
        if (!(GradientTolerance >= 0)) throw new InvalidParameterException("--tolerance", $"must be zero or positive, got {GradientTolerance}.");
        if (!(EnergyTolerance >= 0)) throw new InvalidParameterException("--energy-tolerance", $"must be zero or positive, got {EnergyTolerance}.");
        if (!(Armijo > 0 && Armijo < 0.5)) throw new InvalidParameterException("armijo", $"must lie in (0, 0.5), got {Armijo}.");
        if (MaxBacktracks < 1) throw new InvalidParameterException("backtracks", $"must be at least 1, got {MaxBacktracks}.");
        return this;
    }
}
