using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Optimizers;

/// <summary>Which line search <see cref="Lbfgs{T}"/> uses.</summary>
public enum LineSearchKind
{
    /// <summary>Strong Wolfe conditions (c₁ = 1e-4, c₂ = 0.9): keeps sᵀy &gt; 0, the usual choice.</summary>
    StrongWolfe,
    /// <summary>Armijo backtracking by halving: cheaper, curvature pairs with sᵀy ≤ 0 are skipped.</summary>
    Armijo,
}

/// <summary>Why <see cref="Lbfgs{T}.Step"/> returned.</summary>
public enum LbfgsStop
{
    /// <summary>The iteration budget was used.</summary>
    MaxIterations,
    /// <summary>max |∂f/∂θ| fell below the gradient tolerance.</summary>
    GradientTolerance,
    /// <summary>The step or the change in loss fell below the change tolerance.</summary>
    ChangeTolerance,
    /// <summary>The line search found no decrease (at a minimum up to round-off).</summary>
    LineSearchFailed,
}

/// <summary>Outcome of an L-BFGS run.</summary>
/// <param name="Loss">Loss at the final parameters.</param>
/// <param name="Iterations">Accepted iterations.</param>
/// <param name="Evaluations">Closure calls (loss and gradient evaluations).</param>
/// <param name="Reason">Why it stopped.</param>
public sealed record LbfgsResult(double Loss, int Iterations, int Evaluations, LbfgsStop Reason);

/// <summary>
/// Full-batch limited-memory BFGS (Nocedal 1980; two-loop recursion with the scaling γ = sᵀy/yᵀy) over a list of
/// parameter tensors. The closure recomputes the loss from the current parameter values; gradients are taken with
/// <see cref="Autograd.Grad{T}(Tensor{T}, IReadOnlyList{Tensor{T}}, bool)"/>. Iterates are kept in double even for
/// float parameters.
/// </summary>
public sealed class Lbfgs<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _parameters;
    private readonly int _dimension;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Tensors requiring gradients.</param>
    /// <param name="learningRate">Initial trial step of each line search (1 is natural for quasi-Newton).</param>
    /// <param name="historySize">Number of curvature pairs kept (m).</param>
    /// <param name="maxIterations">Iterations per <see cref="Step"/>.</param>
    /// <param name="gradientTolerance">Stop when max |g| ≤ this.</param>
    /// <param name="changeTolerance">Stop when max |s| or |Δf| ≤ this.</param>
    /// <param name="lineSearch">Strong Wolfe (default) or Armijo backtracking.</param>
    public Lbfgs(IReadOnlyList<Tensor<T>> parameters, double learningRate = 1, int historySize = 10, int maxIterations = 100,
        double gradientTolerance = 1e-7, double changeTolerance = 1e-12, LineSearchKind lineSearch = LineSearchKind.StrongWolfe)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0) throw new InvalidParameterException("parameters", "the optimiser was given no parameters.");
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new InvalidParameterException("--lr", $"must be positive and finite, got {learningRate}.");
        if (historySize < 1) throw new InvalidParameterException("history", $"must be at least 1, got {historySize}.");
        if (maxIterations < 1) throw new InvalidParameterException("--iterations", $"must be at least 1, got {maxIterations}.");
        if (!(gradientTolerance >= 0) || !(changeTolerance >= 0)) throw new InvalidParameterException("tolerance", "tolerances must be zero or positive.");
        _parameters = parameters.ToArray();
        foreach (var p in _parameters)
            if (!p.RequiresGrad) throw new InvalidParameterException("parameters", $"{p} does not require gradients.");
        _dimension = _parameters.Sum(p => p.Length);
        LearningRate = learningRate;
        HistorySize = historySize;
        MaxIterations = maxIterations;
        GradientTolerance = gradientTolerance;
        ChangeTolerance = changeTolerance;
        LineSearch = lineSearch;
    }

    /// <summary>Initial trial step.</summary>
    public double LearningRate { get; }
    /// <summary>Curvature pairs kept.</summary>
    public int HistorySize { get; }
    /// <summary>Iterations per call of <see cref="Step"/>.</summary>
    public int MaxIterations { get; }
    /// <summary>Gradient tolerance (max norm).</summary>
    public double GradientTolerance { get; }
    /// <summary>Step / loss-change tolerance.</summary>
    public double ChangeTolerance { get; }
    /// <summary>The line search used.</summary>
    public LineSearchKind LineSearch { get; }

    /// <summary>Runs up to <see cref="MaxIterations"/> iterations from the current parameters; leaves the best iterate in them.</summary>
    /// <param name="closure">Recomputes the scalar loss from the parameters (forward pass only; no backward call needed).</param>
    public LbfgsResult Step(Func<Tensor<T>> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        int n = _dimension, evaluations = 0;
        var x = new double[n];
        Gather(x);
        var (f, g) = Evaluate(closure, x);
        evaluations++;
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var d = new double[n];
        var alpha = new double[HistorySize];
        if (MaxAbs(g) <= GradientTolerance) return Finish(x, f, 0, evaluations, LbfgsStop.GradientTolerance);
        for (int iter = 1; iter <= MaxIterations; iter++)
        {
            TwoLoop(g, s, y, rho, alpha, d);
            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                s.Clear(); y.Clear(); rho.Clear();
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = Dot(g, d);
            }
            // First iteration: no curvature yet, so scale the step to move about LearningRate in the max norm.
            double t0 = s.Count == 0 ? LearningRate * Math.Min(1, 1 / MaxAbs(g)) : LearningRate;
            var dir = d;
            var xs = x;
            WolfeLineSearch.Point Phi(double t)
            {
                var xt = new double[n];
                for (int i = 0; i < n; i++) xt[i] = xs[i] + t * dir[i];
                var (ft, gt) = Evaluate(closure, xt);
                return new WolfeLineSearch.Point(t, ft, Dot(gt, dir), gt);
            }
            var start = new WolfeLineSearch.Point(0, f, slope, g);
            var accepted = LineSearch == LineSearchKind.StrongWolfe
                ? WolfeLineSearch.StrongWolfe(Phi, start, t0, 1e-4, 0.9, 25, out int used)
                : WolfeLineSearch.Armijo(Phi, start, t0, 1e-4, 40, out used);
            evaluations += used;
            if (accepted.T == 0 || !(accepted.F <= f)) return Finish(x, f, iter - 1, evaluations, LbfgsStop.LineSearchFailed);
            var step = new double[n];
            var dg = new double[n];
            double maxStep = 0;
            for (int i = 0; i < n; i++)
            {
                step[i] = accepted.T * d[i];
                dg[i] = accepted.Gradient[i] - g[i];
                x[i] += step[i];
                maxStep = Math.Max(maxStep, Math.Abs(step[i]));
            }
            double sy = Dot(step, dg);
            if (sy > 1e-10 * Math.Sqrt(Dot(step, step) * Dot(dg, dg)))
            {
                if (s.Count == HistorySize) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(step); y.Add(dg); rho.Add(1 / sy);
            }
            double fOld = f;
            f = accepted.F;
            g = accepted.Gradient;
            if (MaxAbs(g) <= GradientTolerance) return Finish(x, f, iter, evaluations, LbfgsStop.GradientTolerance);
            if (maxStep <= ChangeTolerance || Math.Abs(fOld - f) <= ChangeTolerance) return Finish(x, f, iter, evaluations, LbfgsStop.ChangeTolerance);
        }
        return Finish(x, f, MaxIterations, evaluations, LbfgsStop.MaxIterations);
    }

    // d = −H·g by the two-loop recursion, H₀ = γI with γ from the newest pair.
    private static void TwoLoop(double[] g, List<double[]> s, List<double[]> y, List<double> rho, double[] alpha, double[] d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = -g[i];
        for (int k = s.Count - 1; k >= 0; k--)
        {
            alpha[k] = rho[k] * Dot(s[k], d);
            Axpy(-alpha[k], y[k], d);
        }
        if (s.Count > 0)
        {
            double gamma = Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]);
            for (int i = 0; i < d.Length; i++) d[i] *= gamma;
        }
        for (int k = 0; k < s.Count; k++)
        {
            double beta = rho[k] * Dot(y[k], d);
            Axpy(alpha[k] - beta, s[k], d);
        }
    }

    private (double F, double[] G) Evaluate(Func<Tensor<T>> closure, double[] x)
    {
        Scatter(x);
        using var _ = Autograd.EnableGrad();
        var loss = closure();
        if (loss.Length != 1) throw new InvalidParameterException("closure", $"must return a scalar loss, got {loss}.");
        var grads = Autograd.Grad(loss, _parameters);
        var g = new double[_dimension];
        int at = 0;
        foreach (var gi in grads)
        {
            for (int i = 0; i < gi.Length; i++) g[at + i] = double.CreateTruncating(gi.Data[i]);
            at += gi.Length;
        }
        return (double.CreateTruncating(loss.Item()), g);
    }

    private LbfgsResult Finish(double[] x, double f, int iterations, int evaluations, LbfgsStop reason)
    {
        Scatter(x);
        return new LbfgsResult(f, iterations, evaluations, reason);
    }

    private void Gather(double[] x)
    {
        int at = 0;
        foreach (var p in _parameters)
            for (int i = 0; i < p.Length; i++) x[at++] = double.CreateTruncating(p.Data[i]);
    }

    private void Scatter(double[] x)
    {
        int at = 0;
        foreach (var p in _parameters)
            for (int i = 0; i < p.Length; i++) p.Data[i] = T.CreateTruncating(x[at++]);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (double v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
