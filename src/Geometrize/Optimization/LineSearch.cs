using System.Numerics;

namespace Geometrize.Optimization;

/// <summary>
/// Armijo backtracking: the largest t = t₀/2^k with E(x + t d) ≤ E(x) + c₁ t ⟨g, d⟩. Each trial evaluates the
/// gradient too, so an accepted first trial (the common case with an adapted initial step) costs one
/// forward + adjoint pass in image problems instead of two.
/// </summary>
internal static class LineSearch
{
    /// <summary>Result of a search: accepted step (0 when none), its energy, and the evaluations spent.</summary>
    public readonly record struct Outcome(double Step, double Energy, int Evaluations);

    /// <summary>On success <paramref name="trial"/> holds x + t d and <paramref name="trialGradient"/> its gradient.</summary>
    public static Outcome Backtrack<T>(IObjective<T> f, ReadOnlySpan<T> x, double energy, ReadOnlySpan<T> direction,
        double slope, double initialStep, OptimizerOptions o, Span<T> trial, Span<T> trialGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double t = initialStep;
        for (int k = 0; k < o.MaxBacktracks; k++, t *= 0.5)
        {
            VectorOps<T>.Step(x, t, direction, trial);
            double e = f.Evaluate(trial, trialGradient);
            if (double.IsFinite(e) && e <= energy + o.Armijo * t * slope) return new Outcome(t, e, k + 1);
        }
        return new Outcome(0, energy, o.MaxBacktracks);
    }
}
