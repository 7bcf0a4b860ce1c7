namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>
/// Eigendecomposition A = V·diag(λ)·Vᵀ of a small dense real symmetric matrix by the cyclic Jacobi method
/// (Golub &amp; Van Loan, <i>Matrix Computations</i>, §8.5), in double precision.
/// </summary>
/// <remarks>
/// Jacobi is chosen over tridiagonalisation + QR because it is short, needs no shifts and computes small
/// eigenvalues to high <i>relative</i> accuracy for well-scaled matrices; its O(n³) cost per sweep (usually
/// 6–10 sweeps) is what the matrices met here need (Jacobian Gram matrices up to a few hundred, Lanczos
/// tridiagonals, dense Hessians of toy models). Eigenvalues are returned in ascending order; column j of V
/// (stored row-major, V[i·n + j]) is the unit eigenvector of λ_j.
/// </remarks>
public static class SymmetricEigen
{
    /// <summary>Rotation sweeps before giving up; cyclic Jacobi converges quadratically, so this is never reached in practice.</summary>
    public const int MaxSweeps = 60;

    /// <summary>Eigenvalues (ascending) and eigenvectors (columns of a row-major n×n matrix) of the symmetric matrix <paramref name="matrix"/>.</summary>
    /// <param name="matrix">Row-major n×n; only symmetric input is meaningful (the upper triangle is taken as the truth).</param>
    /// <param name="n">Order of the matrix.</param>
    /// <exception cref="InvalidParameterException">n is negative or the span holds fewer than n² values.</exception>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        Check(matrix.Length, n);
        var a = matrix[..(n * n)].ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        DecomposeInPlace(a, n, values, vectors);
        return (values, vectors);
    }

    /// <summary>Eigenvalues only, ascending.</summary>
    /// <exception cref="InvalidParameterException">n is negative or the span holds fewer than n² values.</exception>
    public static double[] Eigenvalues(ReadOnlySpan<double> matrix, int n) => Decompose(matrix, n).Values;

    /// <summary>
    /// Allocation-free form for kernels that decompose many matrices: <paramref name="a"/> (n×n, row-major) is
    /// overwritten (its diagonal ends up holding the unsorted eigenvalues); <paramref name="values"/> receives the
    /// eigenvalues ascending and <paramref name="vectors"/> (n×n) the matching eigenvectors as columns.
    /// </summary>
    /// <returns>The number of sweeps used.</returns>
    /// <exception cref="InvalidParameterException">A span is too short for n.</exception>
    public static int DecomposeInPlace(Span<double> a, int n, Span<double> values, Span<double> vectors)
    {
        Check(a.Length, n);
        if (values.Length < n || vectors.Length < n * n)
            throw new InvalidParameterException("eigen", $"output spans too short for order {n} (values {values.Length}, vectors {vectors.Length}).");
        // Symmetrise from the upper triangle so rounding asymmetry in the caller's matrix cannot bias the rotations.
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) a[j * n + i] = a[i * n + j];
        vectors[..(n * n)].Clear();
        for (int i = 0; i < n; i++) vectors[i * n + i] = 1;

        double total = 0;
        for (int i = 0; i < n * n; i++) total += a[i] * a[i];
        int sweep = 0;
        if (total > 0)
        {
            for (; sweep < MaxSweeps; sweep++)
            {
                double off = 0;
                for (int p = 0; p < n; p++)
                    for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
                // Converged when the off-diagonal norm is at rounding level (1e-15) of the whole matrix's norm.
                if (off <= 1e-30 * total) break;
                for (int p = 0; p < n - 1; p++)
                    for (int q = p + 1; q < n; q++) Rotate(a, vectors, n, p, q);
            }
        }
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        SortAscending(values, vectors, n);
        return sweep;
    }

    // One Jacobi rotation J(p, q) annihilating a[p, q]: A ← JᵀAJ, V ← VJ.
    private static void Rotate(Span<double> a, Span<double> v, int n, int p, int q)
    {
        double apq = a[p * n + q];
        if (apq == 0) return;
        double app = a[p * n + p], aqq = a[q * n + q];
        double tau = (aqq - app) / (2 * apq);
        // The smaller root keeps the rotation angle ≤ π/4, which is what makes cyclic Jacobi converge.
        double t = (tau >= 0 ? 1 : -1) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
        double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
        for (int k = 0; k < n; k++) // columns p, q: A·J
        {
            double akp = a[k * n + p], akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) // rows p, q: Jᵀ·A
        {
            double apk = a[p * n + k], aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0; // exact zero instead of a rounding residue
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    // Insertion sort of the eigenpairs (n is small; keeps the kernel allocation-free).
    private static void SortAscending(Span<double> values, Span<double> vectors, int n)
    {
        for (int i = 1; i < n; i++)
        {
            for (int j = i; j > 0 && values[j] < values[j - 1]; j--)
            {
                (values[j], values[j - 1]) = (values[j - 1], values[j]);
                for (int k = 0; k < n; k++)
                    (vectors[k * n + j], vectors[k * n + j - 1]) = (vectors[k * n + j - 1], vectors[k * n + j]);
            }
        }
    }

    private static void Check(int length, int n)
    {
        if (n < 0) throw new InvalidParameterException("eigen", $"matrix order must be non-negative, got {n}.");
        if (length < (long)n * n) throw new InvalidParameterException("eigen", $"an {n}×{n} matrix needs {n * n} values, got {length}.");
    }
}
