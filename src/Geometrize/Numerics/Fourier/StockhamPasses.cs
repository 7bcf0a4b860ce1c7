using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Geometrize.Numerics.Fourier;

/// <summary>
/// Radix-2/3/4/5 passes of the Stockham auto-sort FFT (decimation in frequency) on the batched layout: a row
/// holds one complex sample of <c>Vector256&lt;T&gt;.Count</c> independent signals ("lanes"), real parts then
/// imaginary parts. Every butterfly therefore works on whole vectors and the twiddles are broadcast scalars,
/// so many lines or columns are transformed at the cost of one.
/// </summary>
/// <remarks>
/// A pass with radix p on a sub-transform length l = p·m and stride s reads x[q + s(j + m t)] (t &lt; p) and
/// writes y[q + s(p j + u)] = w_l^{j u} Σ_t x[q + s(j + m t)] ω_p^{t u}; the next pass uses l' = m, s' = s p.
/// Output ends up in natural order after the last pass, which is why no bit reversal is needed.
/// </remarks>
internal static class StockhamPasses<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static int C => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Ld(ref T b, int o) => Vector256.LoadUnsafe(ref b, (nuint)o);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void St(Vector256<T> v, ref T b, int o) => v.StoreUnsafe(ref b, (nuint)o);

    /// <summary>Twiddles w_l^{j u} for j &lt; m, u = 1..p−1, stored (re, im) with u fastest; computed in double.</summary>
    internal static T[] Twiddles(int p, int m)
    {
        int l = p * m;
        var tw = new T[2 * m * (p - 1)];
        for (int j = 0; j < m; j++)
            for (int u = 1; u < p; u++)
            {
                long e = (long)j * u % l;
                var (sin, cos) = Math.SinCos(-2.0 * Math.PI * e / l);
                int k = 2 * (j * (p - 1) + u - 1);
                tw[k] = T.CreateChecked(cos);
                tw[k + 1] = T.CreateChecked(sin);
            }
        return tw;
    }

    /// <summary>Runs one pass with radix <paramref name="p"/> from <paramref name="x"/> into <paramref name="y"/>.</summary>
    internal static void Run(int p, int m, int s, ref T x, ref T y, T[] tw)
    {
        switch (p)
        {
            case 4: Radix4(m, s, ref x, ref y, tw); break;
            case 2: Radix2(m, s, ref x, ref y, tw); break;
            case 3: Radix3(m, s, ref x, ref y, tw); break;
            case 5: Radix5(m, s, ref x, ref y, tw); break;
            default: throw new InvalidOperationException($"unsupported radix {p}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Radix2(int m, int s, ref T x, ref T y, T[] tw)
    {
        int r = 2 * C, c = C, dIn = s * m * r, dOut = s * r;
        ref T w = ref tw[0];
        for (int j = 0; j < m; j++)
        {
            var wr = Vector256.Create(Unsafe.Add(ref w, 2 * j));
            var wi = Vector256.Create(Unsafe.Add(ref w, 2 * j + 1));
            ref T xi = ref Unsafe.Add(ref x, s * j * r);
            ref T yo = ref Unsafe.Add(ref y, 2 * s * j * r);
            for (int q = 0, o = 0; q < s; q++, o += r)
            {
                Vector256<T> ar = Ld(ref xi, o), ai = Ld(ref xi, o + c);
                Vector256<T> br = Ld(ref xi, o + dIn), bi = Ld(ref xi, o + dIn + c);
                St(ar + br, ref yo, o); St(ai + bi, ref yo, o + c);
                Vector256<T> dr = ar - br, di = ai - bi;
                St(ReOfProduct(dr, di, wr, wi), ref yo, o + dOut); St(ImOfProduct(dr, di, wr, wi), ref yo, o + dOut + c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Radix4(int m, int s, ref T x, ref T y, T[] tw)
    {
        int r = 2 * C, c = C, dIn = s * m * r, dOut = s * r;
        ref T w = ref tw[0];
        for (int j = 0; j < m; j++)
        {
            ref T wj = ref Unsafe.Add(ref w, 6 * j);
            var w1r = Vector256.Create(wj); var w1i = Vector256.Create(Unsafe.Add(ref wj, 1));
            var w2r = Vector256.Create(Unsafe.Add(ref wj, 2)); var w2i = Vector256.Create(Unsafe.Add(ref wj, 3));
            var w3r = Vector256.Create(Unsafe.Add(ref wj, 4)); var w3i = Vector256.Create(Unsafe.Add(ref wj, 5));
            ref T xi = ref Unsafe.Add(ref x, s * j * r);
            ref T yo = ref Unsafe.Add(ref y, 4 * s * j * r);
            for (int q = 0, o = 0; q < s; q++, o += r)
            {
                Vector256<T> a0r = Ld(ref xi, o), a0i = Ld(ref xi, o + c);
                Vector256<T> a1r = Ld(ref xi, o + dIn), a1i = Ld(ref xi, o + dIn + c);
                Vector256<T> a2r = Ld(ref xi, o + 2 * dIn), a2i = Ld(ref xi, o + 2 * dIn + c);
                Vector256<T> a3r = Ld(ref xi, o + 3 * dIn), a3i = Ld(ref xi, o + 3 * dIn + c);
                Vector256<T> t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
                Vector256<T> t2r = a1r + a3r, t2i = a1i + a3i;
                // (a1 − a3)·(−i)
                Vector256<T> t3r = a1i - a3i, t3i = a3r - a1r;
                St(t0r + t2r, ref yo, o); St(t0i + t2i, ref yo, o + c);
                Vector256<T> br = t1r + t3r, bi = t1i + t3i;
                St(ReOfProduct(br, bi, w1r, w1i), ref yo, o + dOut); St(ImOfProduct(br, bi, w1r, w1i), ref yo, o + dOut + c);
                br = t0r - t2r; bi = t0i - t2i;
                St(ReOfProduct(br, bi, w2r, w2i), ref yo, o + 2 * dOut); St(ImOfProduct(br, bi, w2r, w2i), ref yo, o + 2 * dOut + c);
                br = t1r - t3r; bi = t1i - t3i;
                St(ReOfProduct(br, bi, w3r, w3i), ref yo, o + 3 * dOut); St(ImOfProduct(br, bi, w3r, w3i), ref yo, o + 3 * dOut + c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Radix3(int m, int s, ref T x, ref T y, T[] tw)
    {
        int r = 2 * C, c = C, dIn = s * m * r, dOut = s * r;
        var half = Vector256.Create(T.CreateChecked(0.5));
        var sn = Vector256.Create(T.CreateChecked(Math.Sqrt(3.0) / 2));
        ref T w = ref tw[0];
        for (int j = 0; j < m; j++)
        {
            ref T wj = ref Unsafe.Add(ref w, 4 * j);
            var w1r = Vector256.Create(wj); var w1i = Vector256.Create(Unsafe.Add(ref wj, 1));
            var w2r = Vector256.Create(Unsafe.Add(ref wj, 2)); var w2i = Vector256.Create(Unsafe.Add(ref wj, 3));
            ref T xi = ref Unsafe.Add(ref x, s * j * r);
            ref T yo = ref Unsafe.Add(ref y, 3 * s * j * r);
            for (int q = 0, o = 0; q < s; q++, o += r)
            {
                Vector256<T> a0r = Ld(ref xi, o), a0i = Ld(ref xi, o + c);
                Vector256<T> a1r = Ld(ref xi, o + dIn), a1i = Ld(ref xi, o + dIn + c);
                Vector256<T> a2r = Ld(ref xi, o + 2 * dIn), a2i = Ld(ref xi, o + 2 * dIn + c);
                Vector256<T> tr = a1r + a2r, ti = a1i + a2i;
                St(a0r + tr, ref yo, o); St(a0i + ti, ref yo, o + c);
                Vector256<T> mr = a0r - tr * half, mi = a0i - ti * half;
                // (a1 − a2)·(−i √3/2)
                Vector256<T> dr = (a1i - a2i) * sn, di = (a2r - a1r) * sn;
                Vector256<T> br = mr + dr, bi = mi + di;
                St(ReOfProduct(br, bi, w1r, w1i), ref yo, o + dOut); St(ImOfProduct(br, bi, w1r, w1i), ref yo, o + dOut + c);
                br = mr - dr; bi = mi - di;
                St(ReOfProduct(br, bi, w2r, w2i), ref yo, o + 2 * dOut); St(ImOfProduct(br, bi, w2r, w2i), ref yo, o + 2 * dOut + c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Radix5(int m, int s, ref T x, ref T y, T[] tw)
    {
        int r = 2 * C, c = C, dIn = s * m * r, dOut = s * r;
        var c1 = Vector256.Create(T.CreateChecked(Math.Cos(2 * Math.PI / 5)));
        var c2 = Vector256.Create(T.CreateChecked(Math.Cos(4 * Math.PI / 5)));
        var s1 = Vector256.Create(T.CreateChecked(Math.Sin(2 * Math.PI / 5)));
        var s2 = Vector256.Create(T.CreateChecked(Math.Sin(4 * Math.PI / 5)));
        ref T w = ref tw[0];
        for (int j = 0; j < m; j++)
        {
            ref T wj = ref Unsafe.Add(ref w, 8 * j);
            ref T xi = ref Unsafe.Add(ref x, s * j * r);
            ref T yo = ref Unsafe.Add(ref y, 5 * s * j * r);
            for (int q = 0, o = 0; q < s; q++, o += r)
            {
                Vector256<T> a0r = Ld(ref xi, o), a0i = Ld(ref xi, o + c);
                Vector256<T> a1r = Ld(ref xi, o + dIn), a1i = Ld(ref xi, o + dIn + c);
                Vector256<T> a2r = Ld(ref xi, o + 2 * dIn), a2i = Ld(ref xi, o + 2 * dIn + c);
                Vector256<T> a3r = Ld(ref xi, o + 3 * dIn), a3i = Ld(ref xi, o + 3 * dIn + c);
                Vector256<T> a4r = Ld(ref xi, o + 4 * dIn), a4i = Ld(ref xi, o + 4 * dIn + c);
                Vector256<T> b1r = a1r + a4r, b1i = a1i + a4i, b2r = a2r + a3r, b2i = a2i + a3i;
                Vector256<T> d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;
                St(a0r + b1r + b2r, ref yo, o); St(a0i + b1i + b2i, ref yo, o + c);
                Vector256<T> p1r = a0r + c1 * b1r + c2 * b2r, p1i = a0i + c1 * b1i + c2 * b2i;
                Vector256<T> q1r = s1 * d1r + s2 * d2r, q1i = s1 * d1i + s2 * d2i;
                Vector256<T> p2r = a0r + c2 * b1r + c1 * b2r, p2i = a0i + c2 * b1i + c1 * b2i;
                Vector256<T> q2r = s2 * d1r - s1 * d2r, q2i = s2 * d1i - s1 * d2i;
                // X1 = P1 − i Q1, X4 = P1 + i Q1, X2 = P2 − i Q2, X3 = P2 + i Q2.
                Mul(p1r + q1i, p1i - q1r, ref wj, 0, ref yo, o + dOut, c);
                Mul(p2r + q2i, p2i - q2r, ref wj, 2, ref yo, o + 2 * dOut, c);
                Mul(p2r - q2i, p2i + q2r, ref wj, 4, ref yo, o + 3 * dOut, c);
                Mul(p1r - q1i, p1i + q1r, ref wj, 6, ref yo, o + 4 * dOut, c);
            }
        }
    }

    /// <summary>Re((br + i bi)(wr + i wi)), fused where the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> ReOfProduct(Vector256<T> br, Vector256<T> bi, Vector256<T> wr, Vector256<T> wi)
    {
        if (Fma.IsSupported && typeof(T) == typeof(float))
            return Fma.MultiplySubtract(br.AsSingle(), wr.AsSingle(), (bi * wi).AsSingle()).As<float, T>();
        if (Fma.IsSupported && typeof(T) == typeof(double))
            return Fma.MultiplySubtract(br.AsDouble(), wr.AsDouble(), (bi * wi).AsDouble()).As<double, T>();
        return br * wr - bi * wi;
    }

    /// <summary>Im((br + i bi)(wr + i wi)), fused where the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> ImOfProduct(Vector256<T> br, Vector256<T> bi, Vector256<T> wr, Vector256<T> wi)
    {
        if (Fma.IsSupported && typeof(T) == typeof(float))
            return Fma.MultiplyAdd(br.AsSingle(), wi.AsSingle(), (bi * wr).AsSingle()).As<float, T>();
        if (Fma.IsSupported && typeof(T) == typeof(double))
            return Fma.MultiplyAdd(br.AsDouble(), wi.AsDouble(), (bi * wr).AsDouble()).As<double, T>();
        return br * wi + bi * wr;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mul(Vector256<T> br, Vector256<T> bi, ref T wj, int k, ref T yo, int o, int c)
    {
        var wr = Vector256.Create(Unsafe.Add(ref wj, k));
        var wi = Vector256.Create(Unsafe.Add(ref wj, k + 1));
        St(ReOfProduct(br, bi, wr, wi), ref yo, o); St(ImOfProduct(br, bi, wr, wi), ref yo, o + c);
    }
}
