using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis.Influence;

/// <summary>Outcome of <see cref="NewtonMinimizer.Minimize{T}"/>.</summary>
/// <param name="Iterations">Newton steps taken.</param>
/// <param name="GradientNorm">‖∇R‖₂ at the returned parameters.</param>
/// <param name="Value">R at the returned parameters.</param>
/// <param name="Converged">Whether ‖∇R‖₂ reached the tolerance.</param>
public sealed record NewtonResult(int Iterations, double GradientNorm, double Value, bool Converged);

/// <summary>
/// Newton's method in double on an <see cref="EmpiricalRisk{T}"/>: the tool for training small models to the tight
/// optimality influence functions assume, and for the warm-started retraining of leave-one-out validation
/// (quadratic convergence: a few steps from θ̂). Each step solves the Newton system by conjugate gradient with exact
/// Hessian–vector products, preconditioned by the Cholesky factor of a dense Hessian (H + μI, μ = 0 unless H is not
/// positive definite, then the smallest shift 10ᵏ·10⁻⁸·max H_ii that works), and backtracks until R decreases
/// (Armijo). With a fresh Hessian the preconditioned solve is exact in one iteration, i.e. plain Newton.
/// </summary>
public static class NewtonMinimizer
{
    /// <summary>
    /// Minimises R from the model's current parameters, leaving the result in them. The dense Hessian is the
    /// expensive part (O(n p²)), so it is lagged: each step solves ∇²R(θ)·d = −∇R by conjugate gradient with exact
    /// Hessian–vector products, preconditioned by the Cholesky factor of the last dense Hessian, and that Hessian is
    /// recomputed only when the preconditioned solve needed more than <paramref name="refreshAfter"/> iterations.
    /// </summary>
    /// <param name="risk">The objective.</param>
    /// <param name="gradientTolerance">Stop when ‖∇R‖₂ ≤ this.</param>
    /// <param name="maxIterations">Newton step budget.</param>
    /// <param name="refreshAfter">Inner iterations beyond which the next step recomputes the dense Hessian (1: every step, pure Newton).</param>
    public static NewtonResult Minimize<T>(EmpiricalRisk<T> risk, double gradientTolerance = 1e-10, int maxIterations = 50, int refreshAfter = 8)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(risk);
        if (refreshAfter < 1) throw new InvalidParameterException("refreshAfter", $"must be at least 1, got {refreshAfter}.");
        return Run(risk, null, refreshAfter, gradientTolerance, maxIterations, 50);
    }

    /// <summary>
    /// Newton's method whose steps solve ∇²R(θ)·d = −∇R(θ) by conjugate gradient with exact Hessian–vector products,
    /// preconditioned by a fixed factorised matrix P close to ∇²R (the Hessian at a nearby optimum). When R differs
    /// from the problem P was built for by a low-rank change (one example removed) and θ stays close, P⁻¹∇²R is the
    /// identity plus a low-rank term plus a small one, so each step needs a handful of products instead of a new dense
    /// Hessian: the warm-started leave-one-out retraining then costs O(np) per step rather than O(n p²). The iterates
    /// and the stopping test use the exact gradient, so the optimum reached does not depend on P.
    /// </summary>
    /// <param name="risk">The objective.</param>
    /// <param name="preconditioner">Cholesky factor of a positive definite approximation of ∇²R.</param>
    /// <param name="gradientTolerance">Stop when ‖∇R‖₂ ≤ this.</param>
    /// <param name="maxIterations">Newton step budget.</param>
    /// <param name="innerIterations">Conjugate-gradient iterations per Newton step.</param>
    public static NewtonResult MinimizePreconditioned<T>(EmpiricalRisk<T> risk, Cholesky preconditioner, double gradientTolerance = 1e-10,
        int maxIterations = 50, int innerIterations = 50)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(preconditioner);
        if (preconditioner.Dimension != risk.Dimension) throw new InvalidParameterException("preconditioner", $"has order {preconditioner.Dimension}, the model {risk.Dimension} parameters.");
        return Run(risk, preconditioner, int.MaxValue, gradientTolerance, maxIterations, innerIterations);
    }

    private static NewtonResult Run<T>(EmpiricalRisk<T> risk, Cholesky? factor, int refreshAfter, double gradientTolerance, int maxIterations, int innerIterations)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(gradientTolerance > 0)) throw new InvalidParameterException("tolerance", $"must be positive, got {gradientTolerance}.");
        if (maxIterations < 0) throw new InvalidParameterException("iterations", $"must not be negative, got {maxIterations}.");
        if (innerIterations < 1) throw new InvalidParameterException("innerIterations", $"must be at least 1, got {innerIterations}.");
        int p = risk.Dimension;
        var theta = risk.GetParameters();
        var g = new double[p];
        var d = new double[p];
        var trial = new double[p];
        var r = new double[p];
        var z = new double[p];
        var q = new double[p];
        var hq = new double[p];
        double[]? h = null;
        bool refresh = factor is null;
        risk.Gradient(g);
        double f = risk.Value(), gNorm = TensorPrimitives.Norm<double>(g);
        int it = 0;
        while (gNorm > gradientTolerance && it < maxIterations)
        {
            it++;
            if (refresh)
            {
                h ??= new double[(long)p * p];
                risk.DenseMatrix(h);
                factor = FactorWithShift(h, p);
                refresh = false;
            }
            // Preconditioned CG on H d = −g from d = 0, to a relative residual well below the Newton step's own accuracy.
            d.AsSpan().Clear();
            TensorPrimitives.Negate<double>(g, r);
            factor!.Solve(r, z);
            z.CopyTo(q, 0);
            double rz = TensorPrimitives.Dot<double>(r, z), target = 1e-3 * Math.Min(1, gNorm) * gNorm;
            int inner = 0;
            while (inner < innerIterations)
            {
                inner++;
                risk.Multiply(q, hq);
                double curvature = TensorPrimitives.Dot<double>(q, hq);
                if (!(curvature > 0)) break;
                double alpha = rz / curvature;
                TensorPrimitives.MultiplyAdd<double>(q, alpha, d, d);
                TensorPrimitives.MultiplyAdd<double>(hq, -alpha, r, r);
                if (TensorPrimitives.Norm<double>(r) <= target) break;
                factor.Solve(r, z);
                double rzNew = TensorPrimitives.Dot<double>(r, z);
                TensorPrimitives.MultiplyAdd<double>(q, rzNew / rz, z, q);
                rz = rzNew;
            }
            if (inner > refreshAfter) refresh = true;
            double slope = TensorPrimitives.Dot<double>(g, d);
            if (!(slope < 0)) // no descent direction from CG (non-convex region): fall back to the preconditioned gradient
            {
                factor.Solve(g, d);
                TensorPrimitives.Negate<double>(d, d);
                slope = TensorPrimitives.Dot<double>(g, d);
            }
            if (!LineSearch(risk, theta, d, slope, trial, ref f))
            {
                if (refreshAfter == int.MaxValue || h is not null && inner <= 1) break;
                refresh = true; // a stale preconditioner may give a poor direction: retry once with a fresh Hessian
                continue;
            }
            trial.CopyTo(theta, 0);
            risk.Gradient(g);
            gNorm = TensorPrimitives.Norm<double>(g);
        }
        risk.SetParameters(theta);
        return new NewtonResult(it, gNorm, f, gNorm <= gradientTolerance);
    }

    // Backtracking from the full step until Armijo's condition holds; leaves the trial point in the model and in trial.
    internal static bool LineSearch<T>(EmpiricalRisk<T> risk, double[] theta, double[] d, double slope, double[] trial, ref double f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double step = 1;
        for (int ls = 0; ls < 40; ls++)
        {
            TensorPrimitives.MultiplyAdd<double>(d, step, theta, trial);
            risk.SetParameters(trial);
            double fTrial = risk.Value();
            // Near the optimum R changes by less than its round-off; a full step that keeps R within that round-off is then accepted.
            if (fTrial <= f + 1e-4 * step * slope || (step == 1 && fTrial <= f + 1e-13 * Math.Abs(f)))
            {
                f = fTrial;
                return true;
            }
            step *= 0.5;
        }
        risk.SetParameters(theta);
        return false;
    }

    /// <summary>Cholesky factor of h, or of h + μI with the smallest μ = 10ᵏ·10⁻⁸·max h_ii that makes it positive definite.</summary>
    internal static Cholesky FactorWithShift(double[] h, int p)
    {
        if (Cholesky.TryFactor(h, p, out var f, out _, out _)) return f!;
        double maxDiagonal = 0;
        for (int i = 0; i < p; i++) maxDiagonal = Math.Max(maxDiagonal, Math.Abs(h[(long)i * p + i]));
        var shifted = (double[])h.Clone();
        for (double mu = 1e-8 * Math.Max(maxDiagonal, 1e-300); mu < 1e10 * Math.Max(maxDiagonal, 1); mu *= 10)
        {
            h.CopyTo(shifted, 0);
            for (int i = 0; i < p; i++) shifted[(long)i * p + i] += mu;
            if (Cholesky.TryFactor(shifted, p, out f, out _, out _)) return f!;
        }
        throw new NotPositiveDefiniteException(0, double.NaN, "Newton's method could not make the Hessian positive definite by shifting it; the risk holds NaN or is unbounded below.");
    }
}
