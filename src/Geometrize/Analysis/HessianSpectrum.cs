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
