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
/// Damped Newton's method in double on an <see cref="EmpiricalRisk{T}"/> with its dense Hessian: the tool for
/// training small models to the tight optimality influence functions assume, and for the warm-started retraining
/// of leave-one-out validation (quadratic convergence: a few steps from θ̂). Each step solves (H + μI)d = −∇R by
/// Cholesky (μ = 0 unless H is not positive definite, then the smallest shift of the form 10ᵏ·10⁻⁸·max H_ii that
/// works) and backtracks until R decreases (Armijo).
/// </summary>
public static class NewtonMinimizer
{
    /// <summary>Minimises R from the model's current parameters, leaving the result in them.</summary>
    /// <param name="risk">The objective.</param>
    /// <param name="gradientTolerance">Stop when ‖∇R‖₂ ≤ this.</param>
    /// <param name="maxIterations">Newton step budget.</param>
    public static NewtonResult Minimize<T>(EmpiricalRisk<T> risk, double gradientTolerance = 1e-10, int maxIterations = 50)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(risk);
        if (!(gradientTolerance > 0)) throw new InvalidParameterException("tolerance", $"must be positive, got {gradientTolerance}.");
        if (maxIterations < 0) throw new InvalidParameterException("iterations", $"must not be negative, got {maxIterations}.");
        int p = risk.Dimension;
        var theta = risk.GetParameters();
        var g = new double[p];
        var d = new double[p];
        var trial = new double[p];
        var h = new double[(long)p * p];
        risk.Gradient(g);
        double f = risk.Value(), gNorm = TensorPrimitives.Norm<double>(g);
        int it = 0;
        while (gNorm > gradientTolerance && it < maxIterations)
        {
            it++;
            risk.DenseMatrix(h);
            var factor = FactorWithShift(h, p);
            factor.Solve(g, d);
            TensorPrimitives.Negate<double>(d, d);
            double slope = TensorPrimitives.Dot<double>(g, d), step = 1;
            bool accepted = false;
            for (int ls = 0; ls < 40; ls++)
            {
                TensorPrimitives.MultiplyAdd<double>(d, step, theta, trial);
                risk.SetParameters(trial);
                double fTrial = risk.Value();
                // Near the optimum R decreases by less than round-off; a step that does not increase R is then accepted.
                if (fTrial <= f + 1e-4 * step * slope || (fTrial <= f && step == 1))
                {
                    f = fTrial;
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted)
            {
                risk.SetParameters(theta);
                break;
            }
            trial.CopyTo(theta, 0);
            risk.Gradient(g);
            gNorm = TensorPrimitives.Norm<double>(g);
        }
        risk.SetParameters(theta);
        return new NewtonResult(it, gNorm, f, gNorm <= gradientTolerance);
    }

    private static Cholesky FactorWithShift(double[] h, int p)
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
