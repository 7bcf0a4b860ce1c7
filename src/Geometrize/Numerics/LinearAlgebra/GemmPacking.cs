using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous micro-panel layout the micro-kernels stream through
/// (Goto and van de Geijn 2008). Transposition is absorbed here, so the kernels see one layout whatever the
/// operands' storage. Partial panels at the matrix edges are padded with zeros: the kernels then always run a
/// full tile and the padding contributes exact zeros that are never stored.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int MR = GemmMicroKernels.MR;

    /// <summary>
    /// Packs op(A)[i0..i0+mc, p0..p0+kc] as ⌈mc/MR⌉ micro-panels of MR×kc values, each stored k-major
    /// (MR consecutive row values per k step). Stored A is m×k row-major, or k×m when <paramref name="ta"/>.
    /// </summary>
    public static void PackA<T>(T* a, int m, int k, bool ta, int i0, int mc, int p0, int kc, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int ir = 0; ir < mc; ir += MR, dst += MR * kc)
        {
            int mr = Math.Min(MR, mc - ir);
            if (ta)
            {
                // Rows of op(A) are columns of stored A: each k step reads MR contiguous values.
                T* src = a + (long)p0 * m + i0 + ir;
                for (int p = 0; p < kc; p++, src += m)
                {
                    T* d = dst + p * MR;
                    int r = 0;
                    for (; r < mr; r++) d[r] = src[r];
                    for (; r < MR; r++) d[r] = T.Zero;
                }
            }
            else if (mr == MR)
            {
                // Six row streams read in step, one contiguous write per k step.
                T* r0 = a + (long)(i0 + ir) * k + p0;
                T* r1 = r0 + k, r2 = r1 + k, r3 = r2 + k, r4 = r3 + k, r5 = r4 + k;
                T* d = dst;
                for (int p = 0; p < kc; p++, d += MR)
                {
                    d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p];
                    d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p];
                }
            }
            else
            {
                for (int r = 0; r < MR; r++)
                {
                    T* d = dst + r;
                    if (r < mr)
                    {
                        T* src = a + (long)(i0 + ir + r) * k + p0;
                        for (int p = 0; p < kc; p++) d[p * MR] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) d[p * MR] = T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs micro-panels [q0, q1) of op(B)[p0..p0+kc, j0..j0+nc]: panel q holds columns j0+q·NR .. +NR as
    /// kc rows of NR consecutive values, at offset q·NR·kc. Stored B is k×n row-major, or n×k when <paramref name="tb"/>.
    /// </summary>
    public static void PackB<T>(T* b, int n, int k, bool tb, int p0, int kc, int j0, int nc, int nr, int q0, int q1, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rowBytes = nr * sizeof(T);
        for (int q = q0; q < q1; q++)
        {
            int jr = q * nr;
            int cols = Math.Min(nr, nc - jr);
            T* d = dst + (long)jr * kc;
            if (!tb)
            {
                T* src = b + (long)p0 * n + j0 + jr;
                if (cols == nr && rowBytes % 16 == 0)
                {
                    for (int p = 0; p < kc; p++, src += n, d += nr)
                        for (int o = 0; o < rowBytes; o += 16)
                            Vector128.Store(Vector128.Load((byte*)src + o), (byte*)d + o);
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += n, d += nr)
                    {
                        int c = 0;
                        for (; c < cols; c++) d[c] = src[c];
                        for (; c < nr; c++) d[c] = T.Zero;
                    }
                }
            }
            else
            {
                // Columns of op(B) are rows of stored B: read each contiguously, scatter into the panel (in L1).
                for (int c = 0; c < nr; c++)
                {
                    T* dc = d + c;
                    if (c < cols)
                    {
                        T* src = b + (long)(j0 + jr + c) * k + p0;
                        for (int p = 0; p < kc; p++) dc[p * nr] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dc[p * nr] = T.Zero;
                    }
                }
            }
        }
    }
}

/// <summary>
/// Per-thread packing buffers, pinned (allocated on the pinned object heap) so that raw pointers into them stay
/// valid, aligned to 64 bytes for whole-cache-line vector loads, grown on demand and reused across calls:
/// a GEMM call allocates nothing once its thread has seen a problem of that block size.
/// </summary>
internal static unsafe class GemmBuffers<T> where T : unmanaged
{
    [ThreadStatic] private static T[]? t_packedA;
    [ThreadStatic] private static T[]? t_packedB;

    /// <summary>This thread's buffer for a packed block of A, at least <paramref name="count"/> elements.</summary>
    public static T* PackedA(long count) => Ensure(ref t_packedA, count);

    /// <summary>This thread's buffer for a packed panel of B, at least <paramref name="count"/> elements.</summary>
    public static T* PackedB(long count) => Ensure(ref t_packedB, count);

    private static T* Ensure(ref T[]? buffer, long count)
    {
        long padding = 64 / sizeof(T);
        if (buffer is null || buffer.LongLength < count + padding)
        {
            if (count + padding > Array.MaxLength)
                throw new InvalidParameterException("gemm", $"packing buffer of {count} elements exceeds the largest array; use smaller blocks.");
            buffer = GC.AllocateUninitializedArray<T>((int)(count + padding), pinned: true);
        }
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((address + 63) & ~(nint)63);
    }
}
