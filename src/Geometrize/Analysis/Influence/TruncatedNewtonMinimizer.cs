using System.Numerics;
using System.Numerics.Tensors;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// Matrix-free Newton's method (truncated Newton, Newton–CG; Dembo and Steihaug 1983) on an
/// <see cref="EmpiricalRisk{T}"/>: each step solves ∇²R·d = −∇R by conjugate gradient with exact Hessian–vector
/// products only, to the relative residual η = min(0.1, √‖∇R‖) (Eisenstat–Walker forcing: loose far from the
/// optimum, superlinear near it), and backtracks until R decreases (Armijo). For networks too large for a dense
/// Hessian (the MLP 784-32-10 has 25 450 parameters) it reaches the tight optimality influence functions assume
/// where L-BFGS stalls on an ill-conditioned risk, and from θ̂ the leave-one-out optimum lies one or two steps away.
/// CG stops at a direction of non-positive curvature and keeps the step found so far (the steepest descent
/// direction when that is the first), so the method also works where the risk is locally non-convex.
/// </summary>
public static class TruncatedNewtonMinimizer
{
    /// <summary>Minimises R from the model's current parameters and leaves the result in them.</summary>
    /// <param name="risk">The objective.</param>
    /// <param name="gradientTolerance">Stop when ‖∇R‖₂ ≤ this.</param>
    /// <param name="maxIterations">Newton step budget.</param>
    /// <param name="maxInnerIterations">Conjugate-gradient iterations (Hessian–vector products) per step, at most.</param>
    /// <param name="log">Receives one line per step (inner iterations, how CG ended, ‖∇R‖), or null.</param>
    /// <exception cref="InvalidParameterException">A tolerance or budget out of range.</exception>
    public static NewtonResult Minimize<T>(EmpiricalRisk<T> risk, double gradientTolerance = 1e-10, int maxIterations = 50, int maxInnerIterations = 500,
        Action<string>? log = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(risk);
        if (!(gradientTolerance > 0)) throw new InvalidParameterException("tolerance", $"must be positive, got {gradientTolerance}.");
        if (maxIterations < 0) throw new InvalidParameterException("iterations", $"must not be negative, got {maxIterations}.");
        if (maxInnerIterations < 1) throw new InvalidParameterException("innerIterations", $"must be at least 1, got {maxInnerIterations}.");
        int p = risk.Dimension;
        var theta = risk.GetParameters();
        var g = new double[p];
        var d = new double[p];
        var r = new double[p];
        var q = new double[p];
        var hq = new double[p];
        var trial = new double[p];
        risk.Gradient(g);
        double f = risk.Value(), gNorm = TensorPrimitives.Norm<double>(g);
        int it = 0;
        while (gNorm > gradientTolerance && it < maxIterations)
        {
            it++;
            // CG on H d = −g from d = 0.
            d.AsSpan().Clear();
            TensorPrimitives.Negate<double>(g, r);
            r.CopyTo(q, 0);
            double rr = gNorm * gNorm, target = Math.Min(0.1, Math.Sqrt(gNorm)) * gNorm;
            int inner = 0;
            string ending = "budget";
            for (; inner < maxInnerIterations; inner++)
            {
                risk.Multiply(q, hq);
                double curvature = TensorPrimitives.Dot<double>(q, hq);
                if (!(curvature > 0))
                {
                    if (inner == 0) TensorPrimitives.Negate<double>(g, d);
                    ending = "negative curvature";
                    break;
                }
                double alpha = rr / curvature;
                TensorPrimitives.MultiplyAdd<double>(q, alpha, d, d);
                TensorPrimitives.MultiplyAdd<double>(hq, -alpha, r, r);
                double rrNew = TensorPrimitives.Dot<double>(r, r);
                if (Math.Sqrt(rrNew) <= target)
                {
                    ending = "converged";
                    inner++;
                    break;
                }
                TensorPrimitives.MultiplyAdd<double>(q, rrNew / rr, r, q);
                rr = rrNew;
            }
            double slope = TensorPrimitives.Dot<double>(g, d);
            if (!(slope < 0)) break;
            if (!NewtonMinimizer.LineSearch(risk, theta, d, slope, trial, ref f)) break;
            trial.CopyTo(theta, 0);
            risk.Gradient(g);
            gNorm = TensorPrimitives.Norm<double>(g);
            log?.Invoke($"Newton-CG step {it}: {inner} CG iterations ({ending}), R = {f:G10}, ‖∇R‖ = {gNorm:G3}");
        }
        risk.SetParameters(theta);
        return new NewtonResult(it, gNorm, f, gNorm <= gradientTolerance);
    }
}
