using Geometrize.Numerics.LinearAlgebra;
namespace Geometrize.Analysis;

/// <summary>
/// Top-k eigenvalues of a Hessian (or any symmetric operator) by power iteration with deflation, using only
/// operator applications (exact Hessian–vector products for a <see cref="HessianOperator{T}"/>).
/// </summary>
/// <remarks>
/// <para>Power iteration converges to the eigenvalue of largest <i>magnitude</i>; a Hessian away from a minimum can
/// have large negative eigenvalues, and those are then what "top" means (as in PyHessian). Deflation is by
/// projection: every iterate is orthogonalised (twice, for stability) against the eigenvectors already found,
/// so the j-th run works on the complement of the first j − 1 eigenvectors.</para>
/// <para>Convergence is judged on the residual ‖Av − λv‖ ≤ tol·|λ| rather than on the change of λ: the Rayleigh
/// quotient's error is then at most ‖r‖²/gap, and a converged vector is accurate enough to deflate with.</para>
/// </remarks>
public static class HessianSpectrum
{
    /// <summary>The k eigenvalues of largest magnitude, in the order found (normally decreasing |λ|), with their unit eigenvectors.</summary>
    /// <param name="op">The operator (Dimension n ≥ k).</param>
    /// <param name="k">How many eigenpairs.</param>
    /// <param name="maxIterations">Power steps per eigenpair before giving up (the pair is then reported as not converged).</param>
    /// <param name="tolerance">Relative residual ‖Av − λv‖/|λ| that counts as converged.</param>
    /// <param name="seed">Seed of the random start vectors.</param>
    /// <exception cref="InvalidParameterException">k outside [1, n], maxIterations &lt; 1 or tolerance not positive.</exception>
    public static EigenPairs TopEigenvalues(ISymmetricOperator op, int k, int maxIterations = 200, double tolerance = 1e-4, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Dimension;
        if (k < 1 || k > n) throw new InvalidParameterException("top-k", $"must be between 1 and the number of parameters {n}, got {k}.");
        if (maxIterations < 1) throw new InvalidParameterException("iterations", $"must be at least 1, got {maxIterations}.");
        if (!(tolerance > 0)) throw new InvalidParameterException("tolerance", $"must be positive, got {tolerance}.");

        var rng = new Random(seed);
        var values = new double[k];
        var vectors = new double[k][];
        var iterations = new int[k];
        var converged = new bool[k];
        var residuals = new double[k];
        var v = new double[n];
        var w = new double[n];
        for (int e = 0; e < k; e++)
        {
            RandomProbes.Gaussian(rng, v);
            Deflate(v, vectors, e);
            RandomProbes.Scale(v, 1 / RandomProbes.Norm(v));
            double lambda = 0, residual = double.PositiveInfinity;
            int it = 0;
            while (it < maxIterations)
            {
                it++;
                op.Apply(v, w);
                Deflate(w, vectors, e);
                lambda = RandomProbes.Dot(v, w);
                // residual r = w − λv (computed before w is normalised into the next iterate)
                double rr = 0;
                for (int i = 0; i < n; i++)
                {
                    double r = w[i] - lambda * v[i];
                    rr += r * r;
                }
                residual = Math.Sqrt(rr);
                double norm = RandomProbes.Norm(w);
                if (norm == 0) { lambda = 0; residual = 0; break; } // v lies in the null space: eigenvalue 0
                if (residual <= tolerance * Math.Abs(lambda)) break;
                for (int i = 0; i < n; i++) v[i] = w[i] / norm;
            }
            values[e] = lambda;
            vectors[e] = (double[])v.Clone();
            iterations[e] = it;
            residuals[e] = residual;
            converged[e] = residual <= tolerance * Math.Abs(lambda);
        }
        return new EigenPairs { Values = values, Vectors = vectors, Iterations = iterations, Residuals = residuals, Converged = converged };
    }

    /// <summary>
    /// The k eigenvalues of largest magnitude by the Lanczos method (full reorthogonalisation), in decreasing |λ|,
    /// with unit Ritz vectors. One Krylov space serves all k pairs, so it needs far fewer operator applications than
    /// power iteration with deflation (typically 2–4k + 10 instead of tens per pair); a pair counts as converged when
    /// the Ritz residual ‖Ay − θy‖ = β_m·|s_mj| is at most <paramref name="tolerance"/>·|θ|.
    /// </summary>
    /// <param name="op">The operator (Dimension n ≥ k).</param>
    /// <param name="k">How many eigenpairs.</param>
    /// <param name="maxSteps">Largest Krylov dimension (0: min(n, 4k + 40)); it also bounds the memory, maxSteps vectors of length n.</param>
    /// <param name="tolerance">Relative Ritz residual that counts as converged.</param>
    /// <param name="seed">Seed of the random start vector.</param>
    /// <exception cref="InvalidParameterException">k outside [1, n], maxSteps &lt; 0 or tolerance not positive.</exception>
    public static EigenPairs TopEigenvaluesLanczos(ISymmetricOperator op, int k, int maxSteps = 0, double tolerance = 1e-4, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Dimension;
        if (k < 1 || k > n) throw new InvalidParameterException("top-k", $"must be between 1 and the number of parameters {n}, got {k}.");
        if (maxSteps < 0) throw new InvalidParameterException("lanczos-steps", $"must be zero (automatic) or positive, got {maxSteps}.");
        if (!(tolerance > 0)) throw new InvalidParameterException("tolerance", $"must be positive, got {tolerance}.");
        int m = Math.Min(n, maxSteps > 0 ? Math.Max(maxSteps, k) : 4 * k + 40);
        var basis = new double[m][];
        for (int j = 0; j < m; j++) basis[j] = new double[n];
        var w = new double[n];
        var alpha = new double[m];
        var beta = new double[m];
        RandomProbes.Gaussian(new Random(seed), basis[0]);
        RandomProbes.Scale(basis[0], 1 / RandomProbes.Norm(basis[0]));
        int used = SpectralDensity.Lanczos(op, basis, w, alpha, beta, m,
            (steps, b) =>
            {
                if (steps < k) return false;
                if (b == 0) return true; // invariant subspace: the Ritz pairs are exact
                var (v, _, r) = RitzPairs(alpha, beta, steps, k, b);
                for (int e = 0; e < v.Length; e++)
                    if (r[e] > tolerance * Math.Abs(v[e])) return false;
                return true;
            });
        var (values, coefficients, residuals) = RitzPairs(alpha, beta, used, k, beta[used - 1]);
        var vectors = new double[k][];
        for (int e = 0; e < k; e++)
        {
            vectors[e] = new double[n];
            for (int i = 0; i < used; i++) RandomProbes.SubtractScaled(vectors[e], basis[i], -coefficients[e][i]);
            RandomProbes.Scale(vectors[e], 1 / RandomProbes.Norm(vectors[e]));
        }
        return new EigenPairs
        {
            Values = values,
            Vectors = vectors,
            Iterations = Enumerable.Repeat(used, k).ToArray(),
            Residuals = residuals,
            Converged = residuals.Select((r, e) => r <= tolerance * Math.Abs(values[e])).ToArray(),
        };
    }

    // The k Ritz pairs of largest |θ| of the Lanczos tridiagonal T_steps: values, coefficient vectors s_j in the
    // Lanczos basis, and residual norms β·|s_{steps−1, j}|.
    private static (double[] Values, double[][] Coefficients, double[] Residuals) RitzPairs(double[] alpha, double[] beta, int steps, int k, double last)
    {
        var t = new double[steps * steps];
        for (int j = 0; j < steps; j++)
        {
            t[j * steps + j] = alpha[j];
            if (j + 1 < steps) t[j * steps + j + 1] = t[(j + 1) * steps + j] = beta[j];
        }
        var (theta, s) = SymmetricEigen.Decompose(t, steps);
        int count = Math.Min(k, steps);
        var order = Enumerable.Range(0, steps).OrderByDescending(j => Math.Abs(theta[j])).Take(count).ToArray();
        var values = new double[count];
        var coefficients = new double[count][];
        var residuals = new double[count];
        for (int e = 0; e < count; e++)
        {
            int j = order[e];
            values[e] = theta[j];
            coefficients[e] = new double[steps];
            for (int i = 0; i < steps; i++) coefficients[e][i] = s[i * steps + j];
            residuals[e] = Math.Abs(last * s[(steps - 1) * steps + j]);
        }
        return (values, coefficients, residuals);
    }

    // Projects out the first `count` eigenvectors; twice ("twice is enough", Kahan–Parlett) so rounding cannot
    // reintroduce a dominant direction that power iteration would then amplify.
    private static void Deflate(Span<double> v, double[][] vectors, int count)
    {
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < count; j++) RandomProbes.SubtractScaled(v, vectors[j], RandomProbes.Dot(v, vectors[j]));
    }
}

/// <summary>Eigenpairs found by <see cref="HessianSpectrum.TopEigenvalues"/>.</summary>
public sealed class EigenPairs
{
    /// <summary>Eigenvalues (Rayleigh quotients of the final iterates).</summary>
    public required double[] Values { get; init; }

    /// <summary>Unit eigenvectors, one per value, in the flattened parameter order.</summary>
    public required double[][] Vectors { get; init; }

    /// <summary>Operator applications spent per eigenpair.</summary>
    public required int[] Iterations { get; init; }

    /// <summary>Final residual norms ‖Av − λv‖.</summary>
    public required double[] Residuals { get; init; }

    /// <summary>Whether each pair met the residual tolerance within the iteration budget.</summary>
    public required bool[] Converged { get; init; }
}
