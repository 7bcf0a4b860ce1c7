using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Geometrize.Numerics.Fourier;

public sealed unsafe partial class RealFft<T>
{
    /// <summary>
    /// Copies complex values 0..count−1 of <paramref name="w"/> lines (interleaved, line l at
    /// base + l·lineStride values) into rows 0..count−1 of the batched layout; lanes ≥ w are zeroed.
    /// <paramref name="reOff"/> = Lanes stores them swapped (real part in the imaginary slot).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherLines(T* basePtr, long lineStride, int w, int count, ref T rows, int reOff)
    {
        int lanes = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength, imOff = lanes - reOff;
        int k = 0;
        if (w == lanes && LaneShuffles<T>.Accelerated)
        {
            int p = lanes / 2;
            Span<Vector256<T>> v = stackalloc Vector256<T>[lanes];
            for (; k + p <= count; k += p)
            {
                for (int l = 0; l < lanes; l++) v[l] = Vector256.Load(basePtr + l * lineStride + 2 * k);
                LaneShuffles<T>.TransposeComplex(v);
                for (int j = 0; j < p; j++)
                {
                    LaneShuffles<T>.Deinterleave(v[2 * j], v[2 * j + 1], out var re, out var im);
                    ref T row = ref Unsafe.Add(ref rows, (k + j) * r);
                    re.StoreUnsafe(ref row, (nuint)reOff);
                    im.StoreUnsafe(ref row, (nuint)imOff);
                }
            }
        }
        for (int l = 0; l < lanes; l++)
        {
            T* src = basePtr + l * lineStride;
            for (int kk = k; kk < count; kk++)
            {
                ref T row = ref Unsafe.Add(ref rows, kk * r);
                Unsafe.Add(ref row, reOff + l) = l < w ? src[2 * kk] : T.Zero;
                Unsafe.Add(ref row, imOff + l) = l < w ? src[2 * kk + 1] : T.Zero;
            }
        }
    }

    /// <summary>Inverse of <see cref="GatherLines"/> for the first <paramref name="w"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterLines(ref T rows, T* basePtr, long lineStride, int w, int count, int reOff)
    {
        int lanes = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength, imOff = lanes - reOff;
        int k = 0;
        if (w == lanes && LaneShuffles<T>.Accelerated)
        {
            int p = lanes / 2;
            Span<Vector256<T>> v = stackalloc Vector256<T>[lanes];
            for (; k + p <= count; k += p)
            {
                for (int j = 0; j < p; j++)
                {
                    ref T row = ref Unsafe.Add(ref rows, (k + j) * r);
                    var re = Vector256.LoadUnsafe(ref row, (nuint)reOff);
                    var im = Vector256.LoadUnsafe(ref row, (nuint)imOff);
                    LaneShuffles<T>.Interleave(re, im, out var lo, out var hi);
                    v[2 * j] = lo; v[2 * j + 1] = hi;
                }
                LaneShuffles<T>.UntransposeComplex(v);
                for (int l = 0; l < lanes; l++) Vector256.Store(v[l], basePtr + l * lineStride + 2 * k);
            }
        }
        for (int l = 0; l < w; l++)
        {
            T* dst = basePtr + l * lineStride;
            for (int kk = k; kk < count; kk++)
            {
                ref T row = ref Unsafe.Add(ref rows, kk * r);
                dst[2 * kk] = Unsafe.Add(ref row, reOff + l);
                dst[2 * kk + 1] = Unsafe.Add(ref row, imOff + l);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="w"/> adjacent interleaved complex values (one row of a column block) into a batched
    /// row, zeroing lanes ≥ w. Contiguous, so a full block is two loads and a de-interleave.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadRow(T* src, int w, ref T row, int reOff)
    {
        int lanes = BatchedFft<T>.Lanes, imOff = lanes - reOff;
        if (w == lanes && LaneShuffles<T>.Accelerated)
        {
            LaneShuffles<T>.Deinterleave(Vector256.Load(src), Vector256.Load(src + lanes), out var re, out var im);
            re.StoreUnsafe(ref row, (nuint)reOff);
            im.StoreUnsafe(ref row, (nuint)imOff);
            return;
        }
        for (int l = 0; l < lanes; l++)
        {
            Unsafe.Add(ref row, reOff + l) = l < w ? src[2 * l] : T.Zero;
            Unsafe.Add(ref row, imOff + l) = l < w ? src[2 * l + 1] : T.Zero;
        }
    }

    /// <summary>Inverse of <see cref="LoadRow"/> for the first <paramref name="w"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref T row, T* dst, int w, int reOff)
    {
        int lanes = BatchedFft<T>.Lanes, imOff = lanes - reOff;
        if (w == lanes && LaneShuffles<T>.Accelerated)
        {
            LaneShuffles<T>.Interleave(Vector256.LoadUnsafe(ref row, (nuint)reOff), Vector256.LoadUnsafe(ref row, (nuint)imOff),
                out var lo, out var hi);
            Vector256.Store(lo, dst);
            Vector256.Store(hi, dst + lanes);
            return;
        }
        for (int l = 0; l < w; l++)
        {
            dst[2 * l] = Unsafe.Add(ref row, reOff + l);
            dst[2 * l + 1] = Unsafe.Add(ref row, imOff + l);
        }
    }
}
