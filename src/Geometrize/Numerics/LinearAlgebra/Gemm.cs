using System.Numerics;
using System.Numerics.Tensors;

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
/// <remarks>
/// Large products run a packed, cache-blocked, register-tiled kernel (6×16 float / 6×8 double tiles on
/// Vector256 + FMA, 6×32 / 6×16 on Vector512 where the CPU accelerates it), parallel over
/// <see cref="Parallelism.MaxDegreeOfParallelism"/> threads with results bitwise independent of the thread count.
/// Products with m·n·k below 4096 multiply-adds run an unpacked loop, which is faster at that size.
/// Accumulation is in the element type, as in BLAS. Calls from several threads at once are safe: packing
/// buffers and call state are per thread, and a call allocates nothing beyond them (when it runs on one thread;
/// a parallel call pays the Task Parallel Library's own bookkeeping, about 1.7 KB per parallel section).
/// Types other than float and double run the same blocked algorithm with a scalar micro-kernel.
/// </remarks>
public static class Gemm
{
    /// <summary>
    /// Below this many multiply-adds (m·n·k) the unpacked loop runs. Measured on AVX2: packing already pays from
    /// about 16³, so only products whose packing overhead (a few hundred nanoseconds) would dominate stay unpacked.
    /// </summary>
    internal const long SmallProductThreshold = 4_096;

    /// <summary>Test hook: forces a micro-kernel on the calling thread (null: the best the CPU accelerates).</summary>
    [ThreadStatic] internal static GemmKernelKind? KernelOverride;

    /// <summary>Test hook: when set on the calling thread, every non-empty product takes the blocked path.</summary>
    [ThreadStatic] internal static bool ForceBlocked;

    /// <summary>
    /// Computes C ← α·op(A)·op(B) + β·C. Stored A is m×k (or k×m when transposed), stored B is k×n (or n×k),
    /// all row-major and contiguous. When β is zero, C is overwritten (NaN in C does not propagate).
    /// α defaults to 1 and β to 0.
    /// </summary>
    /// <exception cref="InvalidParameterException">A dimension is negative or a span is too short.</exception>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        Transpose transA = Transpose.No, Transpose transB = Transpose.No, T? alpha = null, T? beta = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0) throw new InvalidParameterException("gemm", $"dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new InvalidParameterException("gemm", $"operand too short for m={m}, n={n}, k={k} (A {a.Length}, B {b.Length}, C {c.Length}).");
        unsafe
        {
            fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c)
                MultiplyCore(pa, pb, pc, m, n, k, transA == Transpose.Yes, transB == Transpose.Yes,
                    alpha ?? T.One, beta ?? T.Zero, KernelOverride, ForceBlocked, parallel: true);
        }
    }

    /// <summary>
    /// Computes C_i ← α·op(A_i)·op(B_i) + β·C_i for i in [0, <paramref name="batch"/>), where operand i starts at
    /// i·stride in its span (each shaped as in <see cref="Multiply{T}"/>). A stride of 0 for A or B reuses one
    /// matrix for the whole batch (a shared weight); the outputs must not overlap. Small products run one per
    /// thread, large ones one after another with each parallel inside; results do not depend on the thread count.
    /// </summary>
    /// <exception cref="InvalidParameterException">
    /// A dimension, the batch or a stride is negative, output strides overlap, or a span is too short.
    /// </exception>
    public static void MultiplyBatched<T>(ReadOnlySpan<T> a, long strideA, ReadOnlySpan<T> b, long strideB,
        Span<T> c, long strideC, int batch, int m, int n, int k,
        Transpose transA = Transpose.No, Transpose transB = Transpose.No, T? alpha = null, T? beta = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0 || batch < 0)
            throw new InvalidParameterException("gemm", $"batch and dimensions must be non-negative, got batch={batch}, m={m}, n={n}, k={k}.");
        if (strideA < 0 || strideB < 0 || strideC < 0)
            throw new InvalidParameterException("gemm", $"strides must be non-negative, got A {strideA}, B {strideB}, C {strideC}.");
        if (batch > 1 && strideC < (long)m * n)
            throw new InvalidParameterException("gemm", $"output stride {strideC} is less than m·n = {(long)m * n}: the outputs would overlap.");
        if (batch == 0) return;
        long last = batch - 1;
        if (a.Length < last * strideA + (long)m * k || b.Length < last * strideB + (long)k * n || c.Length < last * strideC + (long)m * n)
            throw new InvalidParameterException("gemm", $"operand too short for batch={batch}, m={m}, n={n}, k={k} with strides A {strideA}, B {strideB}, C {strideC} (A {a.Length}, B {b.Length}, C {c.Length}).");
        unsafe
        {
            fixed (T* pa = a) fixed (T* pb = b) fixed (T* pc = c)
                GemmBatch<T>.ForThisThread.Run(pa, strideA, pb, strideB, pc, strideC, batch, m, n, k,
                    transA == Transpose.Yes, transB == Transpose.Yes, alpha ?? T.One, beta ?? T.Zero, KernelOverride, ForceBlocked);
        }
    }

    /// <summary>Validated entry shared by the single and batched products.</summary>
    internal static unsafe void MultiplyCore<T>(T* a, T* b, T* c, int m, int n, int k, bool ta, bool tb, T alpha, T beta,
        GemmKernelKind? kernel, bool forceBlocked, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(c, (long)m * n, beta);
            return;
        }
        if (!forceBlocked && (long)m * n * k < SmallProductThreshold)
        {
            ScaleC(c, (long)m * n, beta);
            SmallProduct(a, b, c, m, n, k, ta, tb, alpha);
            return;
        }
        GemmBlocked<T>.ForThisThread.Run(a, b, c, m, n, k, ta, tb, alpha, beta, kernel ?? GemmBlocked<T>.BestKernel(), parallel);
    }

    // β·C, with β = 0 writing zeros so that NaN or infinity already in C does not survive (BLAS convention).
    private static unsafe void ScaleC<T>(T* c, long count, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cc = new Span<T>(c, checked((int)count));
        if (beta == T.Zero) cc.Clear();
        else if (beta != T.One) for (int i = 0; i < cc.Length; i++) cc[i] *= beta;
    }

    // C += α·op(A)·op(B) without packing: for tiny products the copies cost more than they save. Without a
    // transposed B the i-p-j order makes each step a contiguous vector axpy over a row of B into a row of C;
    // with B transposed and A not, each element is a contiguous dot product.
    private static unsafe void SmallProduct<T>(T* a, T* b, T* c, int m, int n, int k, bool ta, bool tb, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            var crow = new Span<T>(c + (long)i * n, n);
            if (!tb)
            {
                for (int p = 0; p < k; p++)
                {
                    T aip = alpha * (ta ? a[(long)p * m + i] : a[(long)i * k + p]);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(b + (long)p * n, n), aip, crow, crow);
                }
            }
            else if (!ta)
            {
                var arow = new ReadOnlySpan<T>(a + (long)i * k, k);
                for (int j = 0; j < n; j++) crow[j] += alpha * TensorPrimitives.Dot(arow, new ReadOnlySpan<T>(b + (long)j * k, k));
            }
            else
            {
                for (int j = 0; j < n; j++)
                {
                    T* brow = b + (long)j * k;
                    T s = T.Zero;
                    for (int p = 0; p < k; p++) s += a[(long)p * m + i] * brow[p];
                    crow[j] += alpha * s;
                }
            }
        }
    }
}
