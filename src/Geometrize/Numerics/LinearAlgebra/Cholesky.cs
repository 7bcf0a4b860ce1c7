using System.Numerics.Tensors;

namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>
/// Cholesky factorisation A = L·Lᵀ of a dense symmetric positive definite matrix in double precision, and
/// solves with it. Only the lower triangle of A is read. A matrix is declared not positive definite when a pivot
/// falls below n·ε·max|A_ii|: round-off turns an exactly singular positive semi-definite matrix into tiny
/// positive pivots, and a solve with those would return numbers of size 1/ε instead of an error.
/// </summary>
public sealed class Cholesky
{
    private readonly double[] _l;

    private Cholesky(double[] l, int n)
    {
        _l = l;
        Dimension = n;
    }

    /// <summary>Order n of the factorised matrix.</summary>
    public int Dimension { get; }

    /// <summary>The lower-triangular factor L, row-major n×n (the strict upper triangle is zero).</summary>
    public ReadOnlySpan<double> Factor => _l;

    /// <summary>log det A = 2 Σ log L_ii.</summary>
    public double LogDeterminant
    {
        get
        {
            double s = 0;
            for (int i = 0; i < Dimension; i++) s += Math.Log(_l[i * Dimension + i]);
            return 2 * s;
        }
    }

    /// <summary>
    /// Factorises the row-major n×n matrix <paramref name="a"/> (copied; only its lower triangle is used).
    /// Returns false, with the index of the first failing pivot and its value, when A is not positive definite.
    /// </summary>
    /// <exception cref="InvalidParameterException">The span does not hold n×n values or holds a non-finite value.</exception>
    public static bool TryFactor(ReadOnlySpan<double> a, int n, out Cholesky? factor, out int failedPivot, out double pivotValue)
    {
        if (n < 1) throw new InvalidParameterException("matrix", $"Cholesky needs a matrix of order at least 1, got {n}.");
        if (a.Length != (long)n * n) throw new InvalidParameterException("matrix", $"an {n}×{n} matrix needs {(long)n * n} values, got {a.Length}.");
        var l = new double[n * n];
        double maxDiagonal = 0;
        for (int i = 0; i < n; i++)
        {
            var row = a.Slice(i * n, i + 1);
            foreach (double v in row)
                if (!double.IsFinite(v)) throw new InvalidParameterException("matrix", $"row {i} holds a non-finite value ({v}); the Hessian or its inputs contain NaN or infinity.");
            row.CopyTo(l.AsSpan(i * n));
            maxDiagonal = Math.Max(maxDiagonal, Math.Abs(a[i * n + i]));
        }
        double threshold = n * 2.220446049250313e-16 * maxDiagonal;
        // Row-oriented (Cholesky–Banachiewicz): L_ij = (A_ij − ⟨L_i,:j, L_j,:j⟩)/L_jj, each inner product a contiguous
        // SIMD dot over the already computed prefixes of rows i and j.
        for (int i = 0; i < n; i++)
        {
            var li = l.AsSpan(i * n, n);
            for (int j = 0; j < i; j++)
            {
                var lj = l.AsSpan(j * n, j);
                li[j] = (li[j] - TensorPrimitives.Dot(li[..j], lj)) / l[j * n + j];
            }
            double d = li[i] - TensorPrimitives.Dot<double>(li[..i], li[..i]);
            if (!(d > threshold))
            {
                factor = null;
                failedPivot = i;
                pivotValue = d;
                return false;
            }
            li[i] = Math.Sqrt(d);
        }
        factor = new Cholesky(l, n);
        failedPivot = -1;
        pivotValue = 0;
        return true;
    }

    /// <summary>Factorises <paramref name="a"/> or throws <see cref="NotPositiveDefiniteException"/>.</summary>
    public static Cholesky Factorize(ReadOnlySpan<double> a, int n)
    {
        if (TryFactor(a, n, out var f, out int pivot, out double value)) return f!;
        throw new NotPositiveDefiniteException(pivot, value,
            $"the {n}×{n} matrix is not positive definite (pivot {pivot} is {value:G3} after elimination).");
    }

    /// <summary>Solves A·x = b by forward and back substitution; <paramref name="x"/> may alias <paramref name="b"/>.</summary>
    /// <exception cref="InvalidParameterException">A vector's length differs from the order.</exception>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = Dimension;
        if (b.Length != n || x.Length != n)
            throw new InvalidParameterException("rhs", $"the matrix has order {n}; right-hand side has {b.Length} and solution {x.Length} entries.");
        if (!b.Overlaps(x)) b.CopyTo(x);
        ReadOnlySpan<double> l = _l;
        for (int i = 0; i < n; i++) // L y = b
            x[i] = (x[i] - TensorPrimitives.Dot(l.Slice(i * n, i), x[..i])) / l[i * n + i];
        for (int i = n - 1; i >= 0; i--) // Lᵀ x = y: column i of Lᵀ is row i of L, so subtract x_i·L_i,: as an axpy
        {
            x[i] /= l[i * n + i];
            double xi = x[i];
            var li = l.Slice(i * n, i);
            for (int k = 0; k < i; k++) x[k] -= li[k] * xi;
        }
    }
}

/// <summary>A matrix that had to be positive definite (a Hessian to invert, a covariance) is not.</summary>
public class NotPositiveDefiniteException : GeometrizeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pivot">Index of the first pivot that was not positive.</param>
    /// <param name="pivotValue">That pivot's value after elimination.</param>
    /// <param name="message">What failed and what to do.</param>
    public NotPositiveDefiniteException(int pivot, double pivotValue, string message) : base(message)
    {
        Pivot = pivot;
        PivotValue = pivotValue;
    }

    /// <summary>Index of the first pivot that was not positive.</summary>
    public int Pivot { get; }

    /// <summary>That pivot's value after elimination.</summary>
    public double PivotValue { get; }
}
