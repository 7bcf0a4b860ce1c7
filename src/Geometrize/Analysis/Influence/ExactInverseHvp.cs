using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// Exact inverse-Hessian products for models small enough to hold H (p×p doubles): the dense Hessian (closed form
/// or one HVP per column) is factorised once by Cholesky, then every solve is two triangular substitutions, so
/// s_test and I_up,params for many training points cost O(p²) each.
/// </summary>
public sealed class ExactInverseHvp : IInverseHvpSolver
{
    private readonly Cholesky _factor;

    /// <summary>Builds and factorises H + δI.</summary>
    /// <param name="hessian">The curvature operator (usually an <see cref="EmpiricalRisk{T}"/> at θ̂).</param>
    /// <param name="damping">δ ≥ 0 added to the diagonal.</param>
    /// <exception cref="InvalidParameterException">δ is negative, or p is too large for a dense matrix.</exception>
    /// <exception cref="NotPositiveDefiniteException">H + δI is not positive definite (θ̂ not a strict minimum, or λ = 0 with redundant parameters).</exception>
    public ExactInverseHvp(IHessianOperator hessian, double damping = 0)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        InverseHvpChecks.Damping(damping);
        int p = hessian.Dimension;
        if ((long)p * p > 400_000_000L)
            throw new InvalidParameterException("--solver", $"exact needs a dense {p}×{p} Hessian ({(long)p * p * 8 / (1 << 20)} MiB); use --solver cg or --solver lissa for a model this size.");
        var h = new double[(long)p * p];
        hessian.DenseMatrix(h);
        for (int i = 0; i < p; i++) h[(long)i * p + i] += damping;
        if (!Cholesky.TryFactor(h, p, out var f, out int pivot, out double value))
        {
            string advice = damping == 0
                ? "No damping was given: pass a positive --damping δ (e.g. 0.01, or a small multiple of the largest eigenvalue) to invert H + δI, or use a larger L2 coefficient."
                : $"The damping {damping} is not enough: increase --damping.";
            throw new NotPositiveDefiniteException(pivot, value,
                $"The Hessian of the empirical risk (plus damping {damping}) is not positive definite: Cholesky pivot {pivot} of {p} is {value:G3}. " +
                "The parameters are not at a strict minimum, or the model has directions of zero curvature. " + advice);
        }
        _factor = f!;
        Damping = damping;
        Dimension = p;
    }

    /// <inheritdoc/>
    public string Name => "exact";

    /// <inheritdoc/>
    public double Damping { get; }

    /// <summary>Dimension p.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Settings => new Dictionary<string, double> { ["damping"] = Damping };

    /// <summary>The Cholesky factor of H + δI (reusable, e.g. as the preconditioner of leave-one-out retraining).</summary>
    public Cholesky Factor => _factor;

    /// <summary>log det(H + δI), a by-product of the factorisation.</summary>
    public double LogDeterminant => _factor.LogDeterminant;

    /// <inheritdoc/>
    public InverseHvpResult Solve(ReadOnlySpan<double> g)
    {
        InverseHvpChecks.RightHandSide(g, Dimension);
        var s = new double[Dimension];
        _factor.Solve(g, s);
        return new InverseHvpResult(s, true, 0, double.NaN, null);
    }
}
