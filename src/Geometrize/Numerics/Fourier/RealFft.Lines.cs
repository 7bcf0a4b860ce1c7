using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Geometrize.Numerics.Fourier;

public sealed unsafe partial class RealFft<T>
{
    /// <summary>w^k = exp(−2πi k/nx) for k = 0..nx/2, (re, im), computed in double.</summary>
    private readonly T[] _halfTwiddles;

    private static T[] HalfTwiddles(int nx)
    {
        var w = new T[2 * (nx / 2 + 1)];
        for (int k = 0; k <= nx / 2; k++)
        {
            var (sin, cos) = Math.SinCos(-2.0 * Math.PI * k / nx);
            w[2 * k] = T.CreateChecked(cos);
            w[2 * k + 1] = T.CreateChecked(sin);
        }
        return w;
    }

    /// <summary>
    /// Real-to-complex transforms along x for groups of <c>Lanes</c> lines. Even nx: the line is read as n/2 complex
    /// samples z_k = x_2k + i x_2k+1, transformed, and split with X_k = E_k + w^k O_k where
    /// E_k = (Z_k + conj Z_{h−k})/2 and O_k = (Z_k − conj Z_{h−k})/(2i). Odd nx: a full complex transform.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardLines(int start, int end)
    {
        int lanes = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength, lines = _ny * _nz;
        bool even = _nx % 2 == 0;
        int n = _xPlan.Length, h = _nx / 2;
        var ws = _pool.Rent(out int slot);
        try
        {
            for (int g = start; g < end; g++)
            {
                int line0 = g * lanes, w = Math.Min(lanes, lines - line0);
                Span<T> a = ws.A, b = ws.B;
                ref T a0 = ref a[0];
                if (even) GatherLines(_real + (long)line0 * _nx, _nx, w, n, ref a0, 0);
                else GatherRealLines(_real + (long)line0 * _nx, w, ref a0);
                var z = _xPlan.Transform(a, b);
                Span<T> spec = z;
                if (even)
                {
                    spec = Unsafe.AreSame(ref z[0], ref a0) ? b : a;
                    SplitHalfSpectrum(z, spec, h);
                }
                ScatterLines(ref spec[0], _spec + 2L * line0 * _nxh, 2L * _nxh, w, _nxh, 0);
            }
        }
        finally { _pool.Return(slot); }
    }

    /// <summary>Odd nx: real lines become complex rows with zero imaginary part (lanes ≥ w zeroed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GatherRealLines(T* basePtr, int w, ref T a0)
    {
        int lanes = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength;
        for (int k = 0; k < _nx; k++)
        {
            ref T row = ref Unsafe.Add(ref a0, k * r);
            for (int l = 0; l < lanes; l++)
            {
                Unsafe.Add(ref row, l) = l < w ? basePtr[(long)l * _nx + k] : T.Zero;
                Unsafe.Add(ref row, lanes + l) = T.Zero;
            }
        }
    }

    /// <summary>Post-processing of the packed even-length transform: rows 0..h of <paramref name="xs"/> from Z in <paramref name="zs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SplitHalfSpectrum(Span<T> zs, Span<T> xs, int h)
    {
        int c = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength;
        var half = Vector256.Create(T.CreateChecked(0.5));
        ref T z = ref zs[0];
        ref T x = ref xs[0];
        ref T tw = ref _halfTwiddles[0];
        for (int k = 0; k <= h; k++)
        {
            int k1 = k == h ? 0 : k, k2 = k == 0 ? 0 : h - k;
            var zr = Vector256.LoadUnsafe(ref z, (nuint)(k1 * r)); var zi = Vector256.LoadUnsafe(ref z, (nuint)(k1 * r + c));
            var mr = Vector256.LoadUnsafe(ref z, (nuint)(k2 * r)); var mi = -Vector256.LoadUnsafe(ref z, (nuint)(k2 * r + c));
            var er = (zr + mr) * half; var ei = (zi + mi) * half;
            // O = (Z − conj Z_{h−k}) / (2i) = (D_im, −D_re)/2
            var or = (zi - mi) * half; var oi = (mr - zr) * half;
            var wr = Vector256.Create(Unsafe.Add(ref tw, 2 * k)); var wi = Vector256.Create(Unsafe.Add(ref tw, 2 * k + 1));
            (er + or * wr - oi * wi).StoreUnsafe(ref x, (nuint)(k * r));
            (ei + or * wi + oi * wr).StoreUnsafe(ref x, (nuint)(k * r + c));
        }
    }

    /// <summary>
    /// Complex-to-real transforms along x, the inverse of <see cref="ForwardLines"/>, with the overall 1/N of the
    /// inverse folded in. Even nx rebuilds Z_k = E_k + i O_k from X_k and conj X_{h−k} and inverts the half-length
    /// complex transform; odd nx rebuilds the full Hermitian line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InverseLines(int start, int end)
    {
        int lanes = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength, lines = _ny * _nz;
        bool even = _nx % 2 == 0;
        int n = _xPlan.Length, h = _nx / 2;
        T scale = T.One / T.CreateChecked((double)Length);
        var ws = _pool.Rent(out int slot);
        try
        {
            for (int g = start; g < end; g++)
            {
                int line0 = g * lanes, w = Math.Min(lanes, lines - line0);
                Span<T> a = ws.A, b = ws.B;
                ref T a0 = ref a[0];
                GatherLines(_spec + 2L * line0 * _nxh, 2L * _nxh, w, _nxh, ref a0, 0);
                // Bins that must be real for a real line: their imaginary parts are dropped, as scipy does.
                Vector256<T>.Zero.StoreUnsafe(ref a0, (nuint)lanes);
                if (even) Vector256<T>.Zero.StoreUnsafe(ref a0, (nuint)(h * r + lanes));
                if (even) PackHalfSpectrum(a, b, h, scale);
                else MirrorHermitian(a, b, scale);
                var q = _xPlan.Transform(b, a);
                ref T q0 = ref q[0];
                // The result is swap(Q): real part in the imaginary slot.
                if (even) ScatterLines(ref q0, _real + (long)line0 * _nx, _nx, w, n, lanes);
                else
                    for (int l = 0; l < w; l++)
                    {
                        T* dst = _real + (long)(line0 + l) * _nx;
                        for (int k = 0; k < n; k++) dst[k] = Unsafe.Add(ref q0, k * r + lanes + l);
                    }
            }
        }
        finally { _pool.Return(slot); }
    }

    /// <summary>Z_k = scale·(E_k + i O_k) for k &lt; h from X (rows 0..h of <paramref name="xs"/>), stored swapped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackHalfSpectrum(Span<T> xs, Span<T> zs, int h, T scale)
    {
        int c = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength;
        var f = Vector256.Create(scale);
        ref T x = ref xs[0];
        ref T z = ref zs[0];
        ref T tw = ref _halfTwiddles[0];
        for (int k = 0; k < h; k++)
        {
            var xr = Vector256.LoadUnsafe(ref x, (nuint)(k * r)); var xi = Vector256.LoadUnsafe(ref x, (nuint)(k * r + c));
            var mr = Vector256.LoadUnsafe(ref x, (nuint)((h - k) * r)); var mi = -Vector256.LoadUnsafe(ref x, (nuint)((h - k) * r + c));
            var er = xr + mr; var ei = xi + mi;
            var dr = xr - mr; var di = xi - mi;
            // O = D · conj(w^k)
            var wr = Vector256.Create(Unsafe.Add(ref tw, 2 * k)); var wi = Vector256.Create(Unsafe.Add(ref tw, 2 * k + 1));
            var or = dr * wr + di * wi; var oi = di * wr - dr * wi;
            // Z = E + iO = (er − oi, ei + or); swapped for the inverse.
            ((ei + or) * f).StoreUnsafe(ref z, (nuint)(k * r));
            ((er - oi) * f).StoreUnsafe(ref z, (nuint)(k * r + c));
        }
    }

    /// <summary>Full odd-length Hermitian line scale·Z from its half (rows 0..(n−1)/2 of <paramref name="xs"/>), stored swapped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MirrorHermitian(Span<T> xs, Span<T> zs, T scale)
    {
        int c = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength, n = _nx;
        var f = Vector256.Create(scale);
        ref T x = ref xs[0];
        ref T z = ref zs[0];
        for (int k = 0; k < _nxh; k++)
        {
            var xr = Vector256.LoadUnsafe(ref x, (nuint)(k * r)) * f; var xi = Vector256.LoadUnsafe(ref x, (nuint)(k * r + c)) * f;
            xi.StoreUnsafe(ref z, (nuint)(k * r));
            xr.StoreUnsafe(ref z, (nuint)(k * r + c));
            if (k == 0) continue;
            (-xi).StoreUnsafe(ref z, (nuint)((n - k) * r));
            xr.StoreUnsafe(ref z, (nuint)((n - k) * r + c));
        }
    }
}
