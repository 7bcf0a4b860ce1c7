using System.Numerics;

namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>Whether a matrix operand of <see cref="Gemm"/> is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the matrix as stored.</summary>
    No,
    /// <summary>Use the transpose of the stored matrix.</summary>
    Yes,
}

/// <summary>
/// General matrix product C ← α·op(A)·op(B) + β·C on dense row-major matrices (BLAS GEMM semantics),
/// float or double. op(A) is m×k, op(B) is k×n, C is m×n; leading dimensions are the stored row lengths.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// Computes C ← α·op(A)·op(B) + β·C. Stored A is m×k (or k×m when transposed), stored B is k×n (or n×k),
    /// all row-major and contiguous. When β is zero, C is overwritten (NaN in C does not propagate).
    /// </summary>
    /// <exception cref="InvalidParameterException">A dimension is negative or a span is too short.</exception>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        Transpose transA = Transpose.No, Transpose transB = Transpose.No, T? alpha = null, T? beta = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0) throw new InvalidParameterException("gemm", $"dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new InvalidParameterException("gemm", $"operand too short for m={m}, n={n}, k={k} (A {a.Length}, B {b.Length}, C {c.Length}).");
        T al = alpha ?? T.One, be = beta ?? T.Zero;
        var cc = c[..(m * n)];
        if (be == T.Zero) cc.Clear();
        else if (be != T.One) for (int i = 0; i < cc.Length; i++) cc[i] *= be;
        if (m == 0 || n == 0 || k == 0 || al == T.Zero) return;
        unsafe
        {
            fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c)
            {
                nint aa = (nint)pa, bb = (nint)pb, ccp = (nint)pc;
                bool ta = transA == Transpose.Yes, tb = transB == Transpose.Yes;
                int rows = m;
                Parallelism.For(m, (long)n * k, (start, end) => RowBlock((T*)aa, (T*)bb, (T*)ccp, start, end, rows, n, k, ta, tb, al));
            }
        }
    }

    // Reference row-panel kernel: i-p-j loop order keeps the inner loop a contiguous axpy over a row of B.
    private static unsafe void RowBlock<T>(T* a, T* b, T* c, int start, int end, int m, int n, int k, bool ta, bool tb, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = start; i < end; i++)
        {
            var crow = new Span<T>(c + (long)i * n, n);
            for (int p = 0; p < k; p++)
            {
                T aip = alpha * (ta ? a[(long)p * m + i] : a[(long)i * k + p]);
                if (aip == T.Zero) continue;
                if (!tb)
                {
                    var brow = new ReadOnlySpan<T>(b + (long)p * n, n);
                    for (int j = 0; j < n; j++) crow[j] += aip * brow[j];
                }
                else
                {
                    for (int j = 0; j < n; j++) crow[j] += aip * b[(long)j * k + p];
                }
            }
        }
    }
}
