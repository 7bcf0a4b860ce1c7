using System.Numerics;

namespace Geometrize.Optimization;

/// <summary>
/// Steepest descent with Armijo backtracking and an adaptive initial step (doubled after a step accepted at the
/// first trial, otherwise the last accepted step). With the V-gradient as the gradient this is Beg et al.'s
/// LDDMM descent.
/// </summary>
public sealed class GradientDescent<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OptimizerOptions _options;
    private readonly InnerProduct<T> _inner;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="options">Budget, tolerances, progress callback.</param>
    /// <param name="innerProduct">The inner product the objective's gradient is taken in; null means Euclidean.</param>
    /// <param name="initialStep">First trial step length (default 1).</param>
    public GradientDescent(OptimizerOptions? options = null, InnerProduct<T>? innerProduct = null, double initialStep = 1)
    {
        _options = (options ?? new OptimizerOptions()).Validate();
        _inner = innerProduct ?? VectorOps<T>.Dot;
        if (!(initialStep > 0) || !double.IsFinite(initialStep)) throw new InvalidParameterException("--step", $"must be positive and finite, got {initialStep}.");
        InitialStep = initialStep;
    }

    /// <summary>First trial step length.</summary>
    public double InitialStep { get; }

    /// <summary>Minimises <paramref name="f"/> starting from <paramref name="x"/>, which is overwritten with the result.</summary>
    public OptimizationResult Minimize(IObjective<T> f, Span<T> x, CancellationToken cancel = default)
    {
        int n = f.Dimension;
        if (x.Length != n) throw new InvalidParameterException("x", $"has {x.Length} values, the objective {n}.");
        T[] g = new T[n], d = new T[n], trial = new T[n], trialG = new T[n];
        int evaluations = 1;
        double energy = f.Evaluate(x, g);
        double g0 = Math.Sqrt(_inner(g, g));
        double step = InitialStep;
        for (int it = 1; it <= _options.MaxIterations; it++)
        {
            if (cancel.IsCancellationRequested) return new(energy, it - 1, evaluations, StopReason.Cancelled);
            double gg = _inner(g, g);
            if (gg == 0 || Math.Sqrt(gg) <= _options.GradientTolerance * g0) return new(energy, it - 1, evaluations, StopReason.GradientTolerance);
            g.AsSpan().CopyTo(d);
            VectorOps<T>.Scale(-1, d);
            var ls = LineSearch.Backtrack(f, x, energy, d, -gg, step, _options, trial, trialG);
            evaluations += ls.Evaluations;
            if (ls.Step == 0) return new(energy, it - 1, evaluations, StopReason.LineSearchFailed);
            step = ls.Evaluations == 1 ? ls.Step * 2 : ls.Step;
            trial.CopyTo(x);
            (g, trialG) = (trialG, g);
            double previous = energy;
            energy = ls.Energy;
            _options.Progress?.Invoke(new IterationInfo(it, energy, Math.Sqrt(_inner(g, g)), ls.Step, evaluations));
            if (previous - energy <= _options.EnergyTolerance * Math.Abs(energy))
                return new(energy, it, evaluations, StopReason.EnergyTolerance);
        }
        return new(energy, _options.MaxIterations, evaluations, StopReason.MaxIterations);
    }
}
