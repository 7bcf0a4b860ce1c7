using System.Numerics.Tensors;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// Conjugate gradient on (H + δI)·s = g with Hessian–vector products only (Hestenes–Stiefel; Martens 2010 and Koh &amp;
/// Liang 2017 use it for influence functions). Starts from s = 0 and stops when ‖r‖ ≤ tolerance·‖g‖. It needs H + δI
/// positive definite: a direction of non-positive curvature stops it with a warning. If the iteration budget runs
/// out first, the result is flagged not converged and carries the residual reached.
/// </summary>
public sealed class ConjugateGradientInverseHvp : IInverseHvpSolver
{
    private readonly IHessianOperator _h;
    private readonly double[] _r, _p, _hp;

    /// <summary>Creates the solver.</summary>
    /// <param name="hessian">The curvature operator.</param>
    /// <param name="damping">δ ≥ 0 added to H.</param>
    /// <param name="tolerance">Relative residual ‖(H + δI)s − g‖/‖g‖ to reach, in (0, 1).</param>
    /// <param name="maxIterations">Iteration budget (at least 1; p iterations suffice in exact arithmetic).</param>
    public ConjugateGradientInverseHvp(IHessianOperator hessian, double damping = 0, double tolerance = 1e-10, int maxIterations = 1000)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        InverseHvpChecks.Damping(damping);
        if (!(tolerance > 0 && tolerance < 1)) throw new InvalidParameterException("--cg-tolerance", $"must be in (0, 1), got {tolerance}.");
        if (maxIterations < 1) throw new InvalidParameterException("--cg-iterations", $"must be at least 1, got {maxIterations}.");
        _h = hessian;
        Damping = damping;
        Tolerance = tolerance;
        MaxIterations = maxIterations;
        int n = hessian.Dimension;
        _r = new double[n];
        _p = new double[n];
        _hp = new double[n];
    }

    /// <inheritdoc/>
    public string Name => "cg";

    /// <inheritdoc/>
    public double Damping { get; }

    /// <summary>Relative residual to reach.</summary>
    public double Tolerance { get; }

    /// <summary>Iteration budget.</summary>
    public int MaxIterations { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Settings => new Dictionary<string, double>
    {
        ["damping"] = Damping, ["tolerance"] = Tolerance, ["maxIterations"] = MaxIterations,
    };

    /// <inheritdoc/>
    public InverseHvpResult Solve(ReadOnlySpan<double> g)
    {
        int n = _h.Dimension;
        InverseHvpChecks.RightHandSide(g, n);
        var s = new double[n];
        double gNorm = TensorPrimitives.Norm(g);
        if (gNorm == 0) return new InverseHvpResult(s, true, 0, 0, null);
        g.CopyTo(_r);
        g.CopyTo(_p);
        double rr = gNorm * gNorm, target = Tolerance * gNorm;
        for (int k = 1; k <= MaxIterations; k++)
        {
            _h.Multiply(_p, _hp);
            TensorPrimitives.MultiplyAdd<double>(_p, Damping, _hp, _hp);
            double curvature = TensorPrimitives.Dot<double>(_p, _hp);
            if (!(curvature > 0))
            {
                double res = Math.Sqrt(rr) / gNorm;
                return new InverseHvpResult(s, false, k,  res,
                    $"conjugate gradient met a direction of non-positive curvature (pᵀ(H + δI)p = {curvature:G3}) at iteration {k}, relative residual {res:G3}: " +
                    $"the Hessian{(Damping > 0 ? $" plus damping {Damping}" : "")} is not positive definite. Pass a positive --damping (or a larger one) and rerun.");
            }
            double alpha = rr / curvature;
            TensorPrimitives.MultiplyAdd<double>(_p, alpha, s, s);
            TensorPrimitives.MultiplyAdd<double>(_hp, -alpha, _r, _r);
            double rrNew = TensorPrimitives.Dot<double>(_r, _r);
            if (Math.Sqrt(rrNew) <= target)
                return new InverseHvpResult(s, true, k, Math.Sqrt(rrNew) / gNorm, null);
            TensorPrimitives.MultiplyAdd<double>(_p, rrNew / rr, _r, _p);
            rr = rrNew;
        }
        double rel = InverseHvpChecks.RelativeResidual(_h, Damping, s, g);
        return new InverseHvpResult(s, false, MaxIterations, rel,
            $"conjugate gradient did not converge: after {MaxIterations} iterations the relative residual is {rel:G3} > tolerance {Tolerance:G3}. " +
            "The influence values are approximate; raise --cg-iterations, loosen --cg-tolerance, or add --damping (a badly conditioned Hessian converges slowly).");
    }
}
