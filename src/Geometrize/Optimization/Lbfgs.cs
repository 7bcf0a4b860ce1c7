using System.Numerics;

namespace Geometrize.Optimization;

/// <summary>
/// Limited-memory BFGS (Nocedal's two-loop recursion) with Armijo backtracking from the unit step, in the inner
/// product ⟨a, b⟩_M = a·(Mb) of the objective's gradient. M·s and M·y are stored with each curvature pair, so M is
/// applied twice per iteration whatever the history length. Pairs with ⟨s, y⟩_M ≤ 0 are skipped, so the direction
/// always descends; when round-off breaks that, the history is cleared and a gradient step is taken.
/// </summary>
public sealed class Lbfgs<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OptimizerOptions _options;
    private readonly MetricOperator<T>? _metric;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="options">Budget, tolerances, progress callback.</param>
    /// <param name="history">Number of curvature pairs kept (default 5).</param>
    /// <param name="metric">The operator M of the inner product the gradient is given in; null means Euclidean.</param>
    public Lbfgs(OptimizerOptions? options = null, int history = 5, MetricOperator<T>? metric = null)
    {
        _options = (options ?? new OptimizerOptions()).Validate();
        if (history < 1) throw new InvalidParameterException("--history", $"must be at least 1, got {history}.");
        History = history;
        _metric = metric;
    }

    /// <summary>Number of curvature pairs kept.</summary>
    public int History { get; }

    private void Apply(T[] v, T[] result)
    {
        if (_metric != null) _metric(v, result);
        else v.AsSpan().CopyTo(result);
    }

    /// <summary>Minimises <paramref name="f"/> starting from <paramref name="x"/>, which is overwritten with the result.</summary>
    public OptimizationResult Minimize(IObjective<T> f, Span<T> x, CancellationToken cancel = default)
    {
        int n = f.Dimension, m = History;
        if (x.Length != n) throw new InvalidParameterException("x", $"has {x.Length} values, the objective {n}.");
        T[] g = new T[n], mg = new T[n], d = new T[n], trial = new T[n], trialG = new T[n], trialMg = new T[n];
        T[][] s = new T[m][], y = new T[m][], ms = new T[m][], my = new T[m][];
        for (int i = 0; i < m; i++) { s[i] = new T[n]; y[i] = new T[n]; ms[i] = new T[n]; my[i] = new T[n]; }
        var rho = new double[m];
        var alpha = new double[m];
        int count = 0, newest = -1;

        int evaluations = 1;
        double energy = f.Evaluate(x, g);
        Apply(g, mg);
        double g0 = Math.Sqrt(VectorOps<T>.Dot(g, mg));
        for (int it = 1; it <= _options.MaxIterations; it++)
        {
            if (cancel.IsCancellationRequested) return new(energy, it - 1, evaluations, StopReason.Cancelled);
            double gnorm = Math.Sqrt(VectorOps<T>.Dot(g, mg));
            if (gnorm == 0 || gnorm <= _options.GradientTolerance * g0) return new(energy, it - 1, evaluations, StopReason.GradientTolerance);

            // Two-loop recursion: d = −H g, with ⟨a, b⟩_M evaluated as (Ma)·b from the stored products.
            g.AsSpan().CopyTo(d);
            for (int k = 0; k < count; k++)
            {
                int j = (newest - k + m) % m;
                alpha[j] = rho[j] * VectorOps<T>.Dot(ms[j], d);
                VectorOps<T>.Axpy(-alpha[j], y[j], d);
            }
            double initial = 1;
            if (count > 0)
                VectorOps<T>.Scale(1 / (rho[newest] * VectorOps<T>.Dot(my[newest], y[newest])), d);
            else
                initial = 1 / gnorm; // first step of unit length: the scale of x sets it
            for (int k = count - 1; k >= 0; k--)
            {
                int j = (newest - k + m) % m;
                double beta = rho[j] * VectorOps<T>.Dot(my[j], d);
                VectorOps<T>.Axpy(alpha[j] - beta, s[j], d);
            }
            VectorOps<T>.Scale(-1, d);
            double slope = VectorOps<T>.Dot(mg, d);
            if (!(slope < 0))
            {
                count = 0;
                g.AsSpan().CopyTo(d);
                VectorOps<T>.Scale(-1, d);
                slope = -gnorm * gnorm;
                initial = 1 / gnorm;
            }

            var ls = LineSearch.Backtrack(f, x, energy, d, slope, initial, _options, trial, trialG);
            evaluations += ls.Evaluations;
            if (ls.Step == 0)
            {
                if (count == 0) return new(energy, it - 1, evaluations, StopReason.LineSearchFailed);
                count = 0; // retry from a gradient step
                it--;
                continue;
            }

            Apply(trialG, trialMg);
            int slot = (newest + 1) % m;
            for (int i = 0; i < n; i++)
            {
                s[slot][i] = trial[i] - x[i];
                y[slot][i] = trialG[i] - g[i];
                my[slot][i] = trialMg[i] - mg[i];
            }
            Apply(s[slot], ms[slot]);
            double sy = VectorOps<T>.Dot(ms[slot], y[slot]);
            double ss = VectorOps<T>.Dot(ms[slot], s[slot]), yy = VectorOps<T>.Dot(my[slot], y[slot]);
            if (sy > 1e-12 * Math.Sqrt(ss * yy))
            {
                rho[slot] = 1 / sy;
                newest = slot;
                count = Math.Min(count + 1, m);
            }
            else if (count == m)
            {
                count = m - 1; // the rejected pair overwrote the oldest slot
            }
            trial.CopyTo(x);
            (g, trialG) = (trialG, g);
            (mg, trialMg) = (trialMg, mg);
            double previous = energy;
            energy = ls.Energy;
            _options.Progress?.Invoke(new IterationInfo(it, energy, Math.Sqrt(VectorOps<T>.Dot(g, mg)), ls.Step, evaluations));
            if (previous - energy <= _options.EnergyTolerance * Math.Abs(energy))
                return new(energy, it, evaluations, StopReason.EnergyTolerance);
        }
        return new(energy, _options.MaxIterations, evaluations, StopReason.MaxIterations);
    }
}
