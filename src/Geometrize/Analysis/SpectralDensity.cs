using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis;

/// <summary>
/// Spectral density of a symmetric operator by stochastic Lanczos quadrature (SLQ; Ubaru, Chen &amp; Saad 2017;
/// Ghorbani, Krishnan &amp; Xiao 2019 for network Hessians).
/// </summary>
/// <remarks>
/// <para>For a unit probe v, m Lanczos steps give a tridiagonal T_m = QΘQᵀ; the Ritz values θ_j (nodes) and
/// τ_j = Q_{1j}² (weights, Σ_j τ_j = 1) form the m-point Gauss quadrature of the spectral measure
/// μ_v = Σ_i (vᵀu_i)² δ_{λ_i}, exact for polynomials of degree ≤ 2m − 1. Averaged over probes v uniform on the
/// sphere (normalised Gaussians), E μ_v = (1/n)Σ_i δ_{λ_i}, the density of states. Smoothing every node with a
/// Gaussian of width σ gives a density on a grid that integrates to 1.</para>
/// <para>Full reorthogonalisation (twice against all previous Lanczos vectors) keeps the basis orthogonal, so
/// no spurious copies of converged Ritz values ("ghosts") appear; it costs O(m²n) memory traffic, small next to
/// the m Hessian–vector products. When β_j vanishes the Krylov space is invariant and the run stops early:
/// the quadrature is then exact.</para>
/// </remarks>
public static class SpectralDensity
{
    /// <summary>Runs SLQ and smooths the result on a grid.</summary>
    /// <param name="op">The operator (dimension n).</param>
    /// <param name="steps">Lanczos steps m per probe (capped at n).</param>
    /// <param name="probes">Number of random probes nv.</param>
    /// <param name="seed">Seed of the Gaussian probes.</param>
    /// <param name="gridPoints">Points of the output grid.</param>
    /// <param name="sigma">Gaussian broadening width; default 1 % of the range of the Ritz values (or of their magnitude when the range is 0).</param>
    /// <exception cref="InvalidParameterException">steps, probes or gridPoints below 1/1/2, or sigma not positive.</exception>
    public static SpectralDensityEstimate StochasticLanczos(ISymmetricOperator op, int steps = 80, int probes = 1, int seed = 0,
        int gridPoints = 1000, double? sigma = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (steps < 1) throw new InvalidParameterException("lanczos-steps", $"must be at least 1, got {steps}.");
        if (probes < 1) throw new InvalidParameterException("probes", $"must be at least 1, got {probes}.");
        if (gridPoints < 2) throw new InvalidParameterException("grid", $"needs at least 2 points, got {gridPoints}.");
        if (sigma is { } s0 && !(s0 > 0)) throw new InvalidParameterException("sigma", $"broadening width must be positive, got {s0}.");
        int n = op.Dimension;
        int m = Math.Min(steps, n);
        var rng = new Random(seed);
        var nodes = new double[probes][];
        var weights = new double[probes][];
        var basis = new double[m][];
        for (int j = 0; j < m; j++) basis[j] = new double[n];
        var w = new double[n];
        var alpha = new double[m];
        var beta = new double[m];
        for (int p = 0; p < probes; p++)
        {
            RandomProbes.Gaussian(rng, basis[0]);
            RandomProbes.Scale(basis[0], 1 / RandomProbes.Norm(basis[0]));
            int used = Lanczos(op, basis, w, alpha, beta, m);
            (nodes[p], weights[p]) = GaussQuadrature(alpha, beta, used);
        }
        return Smooth(nodes, weights, gridPoints, sigma);
    }

    // m steps of Lanczos from basis[0] (unit); returns the number of steps actually taken: fewer on breakdown, or when
    // `stop(steps, β)` — called after each step with the next off-diagonal norm β — returns true. beta[steps − 1]
    // holds that last β (the residual scale of the Ritz pairs).
    internal static int Lanczos(ISymmetricOperator op, double[][] basis, double[] w, double[] alpha, double[] beta, int m,
        Func<int, double, bool>? stop = null)
    {
        double scale = 0;
        for (int j = 0; j < m; j++)
        {
            op.Apply(basis[j], w);
            alpha[j] = RandomProbes.Dot(w, basis[j]);
            RandomProbes.SubtractScaled(w, basis[j], alpha[j]);
            if (j > 0) RandomProbes.SubtractScaled(w, basis[j - 1], beta[j - 1]);
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i <= j; i++) RandomProbes.SubtractScaled(w, basis[i], RandomProbes.Dot(w, basis[i]));
            double b = RandomProbes.Norm(w);
            scale = Math.Max(scale, Math.Abs(alpha[j]) + b);
            if (stop != null)
            {
                beta[j] = b <= 1e-12 * scale ? 0 : b;
                if (stop(j + 1, beta[j])) return j + 1;
            }
            if (j + 1 == m) return m;
            // Breakdown: the Krylov space is invariant under A (up to rounding), so the quadrature is already exact.
            if (b <= 1e-12 * scale) return j + 1;
            beta[j] = b;
            for (int i = 0; i < w.Length; i++) basis[j + 1][i] = w[i] / b;
        }
        return m;
    }

    private static (double[] Nodes, double[] Weights) GaussQuadrature(double[] alpha, double[] beta, int m)
    {
        var t = new double[m * m];
        for (int j = 0; j < m; j++)
        {
            t[j * m + j] = alpha[j];
            if (j + 1 < m) t[j * m + j + 1] = t[(j + 1) * m + j] = beta[j];
        }
        var (values, vectors) = SymmetricEigen.Decompose(t, m);
        var weights = new double[m];
        for (int j = 0; j < m; j++) weights[j] = vectors[j] * vectors[j]; // first row of Q: Q[0, j]
        return (values, weights);
    }

    private static SpectralDensityEstimate Smooth(double[][] nodes, double[][] weights, int gridPoints, double? sigma)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var ns in nodes)
            foreach (var x in ns) { lo = Math.Min(lo, x); hi = Math.Max(hi, x); }
        double range = hi - lo;
        double s = sigma ?? (range > 0 ? 0.01 * range : 0.01 * Math.Max(Math.Abs(hi), 1e-12));
        // ±6σ beyond the extreme nodes holds all but 2·10⁻⁹ of each Gaussian's mass.
        double a = lo - 6 * s, b = hi + 6 * s;
        var grid = new double[gridPoints];
        var density = new double[gridPoints];
        double dx = (b - a) / (gridPoints - 1);
        for (int g = 0; g < gridPoints; g++) grid[g] = a + g * dx;
        double norm = 1 / (nodes.Length * s * Math.Sqrt(2 * Math.PI));
        for (int p = 0; p < nodes.Length; p++)
            for (int j = 0; j < nodes[p].Length; j++)
            {
                double c = nodes[p][j], wgt = weights[p][j] * norm;
                // Only grid points within 8σ carry weight above 1e-14 of the peak.
                int g0 = Math.Max(0, (int)Math.Floor((c - 8 * s - a) / dx));
                int g1 = Math.Min(gridPoints - 1, (int)Math.Ceiling((c + 8 * s - a) / dx));
                for (int g = g0; g <= g1; g++)
                {
                    double z = (grid[g] - c) / s;
                    density[g] += wgt * Math.Exp(-0.5 * z * z);
                }
            }
        return new SpectralDensityEstimate { Grid = grid, Density = density, Sigma = s, Nodes = nodes, Weights = weights };
    }
}

/// <summary>Result of <see cref="SpectralDensity.StochasticLanczos"/>.</summary>
public sealed class SpectralDensityEstimate
{
    /// <summary>Equally spaced evaluation points covering the Ritz values ± 6σ.</summary>
    public required double[] Grid { get; init; }

    /// <summary>Smoothed density of eigenvalues at the grid points (integrates to 1).</summary>
    public required double[] Density { get; init; }

    /// <summary>Gaussian broadening width σ used.</summary>
    public required double Sigma { get; init; }

    /// <summary>Ritz values per probe (the quadrature nodes).</summary>
    public required double[][] Nodes { get; init; }

    /// <summary>Quadrature weights per probe (each probe's weights sum to 1).</summary>
    public required double[][] Weights { get; init; }

    /// <summary>
    /// Moment (1/nv)Σ_probes Σ_j τ_j θ_j^p of the quadrature (before smoothing): an estimate of tr(Aᵖ)/n, exact per
    /// probe (= vᵀAᵖv) for p ≤ 2m − 1.
    /// </summary>
    public double Moment(int p)
    {
        double total = 0;
        for (int q = 0; q < Nodes.Length; q++)
            for (int j = 0; j < Nodes[q].Length; j++) total += Weights[q][j] * Math.Pow(Nodes[q][j], p);
        return total / Nodes.Length;
    }

    /// <summary>Trapezoidal integral of the smoothed density over the grid (≈ 1).</summary>
    public double Integral()
    {
        double s = 0;
        for (int g = 0; g + 1 < Grid.Length; g++) s += 0.5 * (Density[g] + Density[g + 1]) * (Grid[g + 1] - Grid[g]);
        return s;
    }
}
