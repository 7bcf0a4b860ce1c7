using System.Numerics;

namespace Geometrize.Optimization;

/// <summary>
/// Limited-memory BFGS (Nocedal's two-loop recursion) with Armijo backtracking from the unit step. Curvature pairs
/// with ⟨s, y⟩ ≤ 0 are skipped, so the search direction always descends; when it does not (round-off), the
/// history is cleared and a gradient step is taken. Works in any inner product the gradient is given in.
/// </summary>
public sealed class Lbfgs<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly OptimizerOptions _options;
    private readonly InnerProduct<T> _inner;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="options">Budget, tolerances, progress callback.</param>
    /// <param name="history">Number of curvature pairs kept (default 5).</param>
    /// <param name="innerProduct">The inner product the objective's gradient is taken in; null means Euclidean.</param>
    public Lbfgs(OptimizerOptions? options = null, int history = 5, InnerProduct<T>? innerProduct = null)
    {
        _options = (options ?? new OptimizerOptions()).Validate();
        if (history < 1) throw new InvalidParameterException("--history", $"must be at least 1, got {history}.");
        History = history;
        _inner = innerProduct ?? VectorOps<T>.Dot;
    }

    /// <summary>Number of curvature pairs kept.</summary>
    public int History { get; }

    /// <summary>Minimises <paramref name="f"/> starting from <paramref name="x"/>, which is overwritten with the result.</summary>
    public OptimizationResult Minimize(IObjective<T> f, Span<T> x, CancellationToken cancel = default)
    {
        int n = f.Dimension, m = History;
        if (x.Length != n) throw new InvalidParameterException("x", $"has {x.Length} values, the objective {n}.");
        T[] g = new T[n], d = new T[n], trial = new T[n], trialG = new T[n];
        var s = new T[m][];
        var y = new T[m][];
        for (int i = 0; i < m; i++) { s[i] = new T[n]; y[i] = new T[n]; }
        var rho = new double[m];
        var alpha = new double[m];
        int count = 0, newest = -1;

        int evaluations = 1;
        double energy = f.Evaluate(x, g);
        double g0 = Math.Sqrt(_inner(g, g));
        for (int it = 1; it <= _options.MaxIterations; it++)
        {
            if (cancel.IsCancellationRequested) return new(energy, it - 1, evaluations, StopReason.Cancelled);
            double gnorm = Math.Sqrt(_inner(g, g));
            if (gnorm == 0 || gnorm <= _options.GradientTolerance * g0) return new(energy, it - 1, evaluations, StopReason.GradientTolerance);

            // Two-loop recursion: d = −H g.
            g.AsSpan().CopyTo(d);
            for (int k = 0; k < count; k++)
            {
                int j = (newest - k + m) % m;
                alpha[j] = rho[j] * _inner(s[j], d);
                VectorOps<T>.Axpy(-alpha[j], y[j], d);
            }
            double initial = 1;
            if (count > 0)
            {
                double yy = _inner(y[newest], y[newest]);
                VectorOps<T>.Scale(1 / (rho[newest] * yy), d);
            }
            else
            {
                // First step: unit length along the gradient, so the scale of x sets the first trial.
                initial = 1 / gnorm;
            }
            for (int k = count - 1; k >= 0; k--)
            {
                int j = (newest - k + m) % m;
                double beta = rho[j] * _inner(y[j], d);
                VectorOps<T>.Axpy(alpha[j] - beta, s[j], d);
            }
            VectorOps<T>.Scale(-1, d);
            double slope = _inner(g, d);
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
                count = 0; // retry with a gradient step next iteration
                it--;
                continue;
            }

            int slot = (newest + 1) % m;
            // s = x_new − x, y = g_new − g
            for (int i = 0; i < n; i++)
            {
                s[slot][i] = trial[i] - x[i];
                y[slot][i] = trialG[i] - g[i];
            }
            double sy = _inner(s[slot], y[slot]);
            if (sy > 1e-12 * Math.Sqrt(_inner(s[slot], s[slot]) * _inner(y[slot], y[slot])))
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
            double previous = energy;
            energy = ls.Energy;
            _options.Progress?.Invoke(new IterationInfo(it, energy, Math.Sqrt(_inner(g, g)), ls.Step, evaluations));
            if (previous - energy <= _options.EnergyTolerance * Math.Abs(energy))
                return new(energy, it, evaluations, StopReason.EnergyTolerance);
        }
        return new(energy, _options.MaxIterations, evaluations, StopReason.MaxIterations);
    }
}
