using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Geometrize.Numerics;

/// <summary>
/// SIMD primitives on contiguous runs (a grid row or a span of rows). Every separable kernel in this folder
/// (differences, their adjoints, Gaussian taps) reduces to these three operations on x-runs, so the
/// vectorisation lives in one place.
/// </summary>
internal static class RowArithmetic
{
    private static bool UseSimd<T>() where T : unmanaged => Vector.IsHardwareAccelerated && Vector<T>.IsSupported;

    /// <summary><c>dst[k] = (plus[k] − minus[k])·s</c>, or <c>+=</c> when <paramref name="accumulate"/>.</summary>
    public static void Difference<T>(ReadOnlySpan<T> plus, ReadOnlySpan<T> minus, Span<T> dst, T s, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dst.Length;
        if ((uint)plus.Length < (uint)n || (uint)minus.Length < (uint)n) throw new ArgumentException("source runs are shorter than the destination.");
        ref T p = ref MemoryMarshal.GetReference(plus);
        ref T m = ref MemoryMarshal.GetReference(minus);
        ref T d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (UseSimd<T>())
        {
            var vs = new Vector<T>(s);
            int w = Vector<T>.Count;
            if (accumulate)
                for (; i <= n - w; i += w)
                    (Vector.LoadUnsafe(ref d, (nuint)i) + (Vector.LoadUnsafe(ref p, (nuint)i) - Vector.LoadUnsafe(ref m, (nuint)i)) * vs).StoreUnsafe(ref d, (nuint)i);
            else
                for (; i <= n - w; i += w)
                    ((Vector.LoadUnsafe(ref p, (nuint)i) - Vector.LoadUnsafe(ref m, (nuint)i)) * vs).StoreUnsafe(ref d, (nuint)i);
        }
        if (accumulate)
            for (; i < n; i++) Unsafe.Add(ref d, i) += (Unsafe.Add(ref p, i) - Unsafe.Add(ref m, i)) * s;
        else
            for (; i < n; i++) Unsafe.Add(ref d, i) = (Unsafe.Add(ref p, i) - Unsafe.Add(ref m, i)) * s;
    }

    /// <summary><c>dst[k] += a·x[k]</c>.</summary>
    public static void AddScaled<T>(ReadOnlySpan<T> x, T a, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dst.Length;
        if ((uint)x.Length < (uint)n) throw new ArgumentException("source run is shorter than the destination.");
        ref T s = ref MemoryMarshal.GetReference(x);
        ref T d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (UseSimd<T>())
        {
            var va = new Vector<T>(a);
            int w = Vector<T>.Count;
            for (; i <= n - w; i += w)
                (Vector.LoadUnsafe(ref d, (nuint)i) + Vector.LoadUnsafe(ref s, (nuint)i) * va).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref s, i) * a;
    }

    /// <summary><c>dst[k] = a·x[k]</c>.</summary>
    public static void Scale<T>(ReadOnlySpan<T> x, T a, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dst.Length;
        if ((uint)x.Length < (uint)n) throw new ArgumentException("source run is shorter than the destination.");
        ref T s = ref MemoryMarshal.GetReference(x);
        ref T d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (UseSimd<T>())
        {
            var va = new Vector<T>(a);
            int w = Vector<T>.Count;
            for (; i <= n - w; i += w)
                (Vector.LoadUnsafe(ref s, (nuint)i) * va).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i) * a;
    }

    /// <summary>
    /// <c>dst[i] = Σ_k weights[k]·src[offsets[k] + i]</c>: a short convolution or a weighted sum of rows, accumulated in
    /// registers (one store per output vector instead of one read-modify-write per tap).
    /// </summary>
    public static void WeightedSum<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> offsets, ReadOnlySpan<T> weights, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dst.Length, taps = offsets.Length;
        if (weights.Length != taps) throw new ArgumentException("one weight per offset is needed.");
        for (int k = 0; k < taps; k++)
            if (offsets[k] < 0 || offsets[k] > src.Length - n) throw new ArgumentOutOfRangeException(nameof(offsets), "a tap reads outside the source.");
        ref T s = ref MemoryMarshal.GetReference(src);
        ref T d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (UseSimd<T>())
        {
            int w = Vector<T>.Count;
            for (; i <= n - w; i += w)
            {
                var acc = Vector<T>.Zero;
                for (int k = 0; k < taps; k++)
                    acc += Vector.LoadUnsafe(ref s, (nuint)(offsets[k] + i)) * new Vector<T>(weights[k]);
                acc.StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            T acc = T.Zero;
            for (int k = 0; k < taps; k++) acc += Unsafe.Add(ref s, offsets[k] + i) * weights[k];
            Unsafe.Add(ref d, i) = acc;
        }
    }
}
