using System.Numerics;

namespace Geometrize.Optimization;

/// <summary>
/// Steepest descent with Armijo backtracking and an adaptive initial step (doubled after a step accepted at the
/// first trial, otherwise the last accepted step). With the V-gradient as the gradient (metric M = L) this is
/// Beg et al.'s LDDMM descent.
/// </summary>
public sealed class GradientDescent<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OptimizerOptions _options;
    private readonly MetricOperator<T>? _metric;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="options">Budget, tolerances, progress callback.</param>
    /// <param name="metric">The operator M of the inner product the objective's gradient is given in; null means Euclidean.</param>
    /// <param name="initialStep">First trial step length (default 1).</param>
    public GradientDescent(OptimizerOptions? options = null, MetricOperator<T>? metric = null, double initialStep = 1)
    {
        _options = (options ?? new OptimizerOptions()).Validate();
        _metric = metric;
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
        T[] g = new T[n], d = new T[n], trial = new T[n], trialG = new T[n], mg = _metric != null ? new T[n] : g;
        int evaluations = 1;
        double energy = f.Evaluate(x, g);
        double NormSquared(T[] v) { _metric?.Invoke(v, mg); return VectorOps<T>.Dot(v, _metric != null ? mg : v); }
        double gg = NormSquared(g);
        double g0 = Math.Sqrt(gg);
        double step = InitialStep;
        for (int it = 1; it <= _options.MaxIterations; it++)
        {
            if (cancel.IsCancellationRequested) return new(energy, it - 1, evaluations, StopReason.Cancelled);
            if (gg == 0 || Math.Sqrt(gg) <= _options.GradientTolerance * g0) return new(energy, it - 1, evaluations, StopReason.GradientTolerance);
            g.AsSpan().CopyTo(d);
            VectorOps<T>.Scale(-1, d);
            var ls = LineSearch.Backtrack(f, x, energy, d, -gg, step, _options, trial, trialG);
            evaluations += ls.Evaluations;
            if (ls.Step == 0) return new(energy, it - 1, evaluations, StopReason.LineSearchFailed);
            step = ls.Evaluations == 1 ? ls.Step * 2 : ls.Step;
            trial.CopyTo(x);
            (g, trialG) = (trialG, g);
            if (_metric == null) mg = g;
            double previous = energy;
            energy = ls.Energy;
            gg = NormSquared(g);
            _options.Progress?.Invoke(new IterationInfo(it, energy, Math.Sqrt(gg), ls.Step, evaluations));
            if (previous - energy <= _options.EnergyTolerance * Math.Abs(energy))
                return new(energy, it, evaluations, StopReason.EnergyTolerance);
        }
        return new(energy, _options.MaxIterations, evaluations, StopReason.MaxIterations);
    }
}
