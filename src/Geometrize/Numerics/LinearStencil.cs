using System.Numerics;
using System.Runtime.CompilerServices;

namespace Geometrize.Numerics;

/// <summary>
/// The two grid neighbours of a continuous index along one axis, their linear weights and the derivative of
/// those weights w.r.t. the index, after applying a <see cref="BoundaryMode"/>. Neighbours that
/// <see cref="BoundaryMode.Zero"/> removes get weight 0 and a safe index (0), so value, splat and derivative
/// all use one formula: value = w0·f[i0] + w1·f[i1], ∂value/∂x = −m0·f[i0] + m1·f[i1].
/// </summary>
internal struct AxisStencil<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int I0, I1;
    public T W0, W1;
    /// <summary>1 when the neighbour contributes, 0 when Zero mode removed it (derivative weights are −M0, +M1).</summary>
    public T M0, M1;

    /// <summary>
    /// float/double → int without the generic-math conversion chain, which the JIT stops inlining once a big
    /// interpolation loop has used up its inlining budget (that alone made the gather loops several times slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Truncate(T v)
    {
        if (typeof(T) == typeof(float)) return (int)Unsafe.As<T, float>(ref v);
        if (typeof(T) == typeof(double)) return (int)Unsafe.As<T, double>(ref v);
        return int.CreateTruncating(v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Floor(T v)
    {
        if (typeof(T) == typeof(float)) { float r = MathF.Floor(Unsafe.As<T, float>(ref v)); return Unsafe.As<float, T>(ref r); }
        if (typeof(T) == typeof(double)) { double r = Math.Floor(Unsafe.As<T, double>(ref v)); return Unsafe.As<double, T>(ref r); }
        return T.Floor(v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static AxisStencil<T> Locate(T x, int n, T nT, BoundaryMode mode)
    {
        AxisStencil<T> s;
        if (mode == BoundaryMode.Periodic)
        {
            if (!T.IsFinite(x)) x = T.Zero;
            T xw = x - nT * T.Floor(x / nT);
            T fl = Floor(xw);
            int i = Truncate(fl);
            T t = xw - fl;
            if (i >= n) i -= n;
            if (i < 0) i += n;
            s.I0 = i;
            s.I1 = i + 1 == n ? 0 : i + 1;
            s.W0 = T.One - t; s.W1 = t; s.M0 = T.One; s.M1 = T.One;
            return s;
        }
        // Beyond [−2, N+1] the answer no longer changes (both neighbours are outside / clamped); clamping there also
        // keeps the integer conversion in range and sends NaN to the lower side.
        T lo = -T.One - T.One, hi = nT + T.One;
        if (!(x >= lo)) x = lo;
        else if (x > hi) x = hi;
        T f = Floor(x);
        int i0 = Truncate(f);
        T tt = x - f;
        int i1 = i0 + 1;
        if (mode == BoundaryMode.Zero)
        {
            bool v0 = (uint)i0 < (uint)n, v1 = (uint)i1 < (uint)n;
            s.I0 = v0 ? i0 : 0; s.I1 = v1 ? i1 : 0;
            s.M0 = v0 ? T.One : T.Zero; s.M1 = v1 ? T.One : T.Zero;
            s.W0 = v0 ? T.One - tt : T.Zero; s.W1 = v1 ? tt : T.Zero;
        }
        else
        {
            s.I0 = Math.Clamp(i0, 0, n - 1); s.I1 = Math.Clamp(i1, 0, n - 1);
            s.M0 = T.One; s.M1 = T.One;
            s.W0 = T.One - tt; s.W1 = tt;
        }
        return s;
    }
}

/// <summary>
/// The 4 (2-D) or 8 (3-D) corners of a linear-interpolation cell: storage offsets and weights, ordered so that
/// the first half lies in the lower slab (y0 in 2-D, z0 in 3-D) and the second half in the upper slab.
/// </summary>
internal struct CellStencil<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Int8 Offset;
    public Weights8<T> Weight;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CellStencil<T> Build2(in AxisStencil<T> sx, in AxisStencil<T> sy, int nx)
    {
        CellStencil<T> c = default;
        int r0 = sy.I0 * nx, r1 = sy.I1 * nx;
        c.Offset[0] = r0 + sx.I0; c.Weight[0] = sy.W0 * sx.W0;
        c.Offset[1] = r0 + sx.I1; c.Weight[1] = sy.W0 * sx.W1;
        c.Offset[2] = r1 + sx.I0; c.Weight[2] = sy.W1 * sx.W0;
        c.Offset[3] = r1 + sx.I1; c.Weight[3] = sy.W1 * sx.W1;
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CellStencil<T> Build3(in AxisStencil<T> sx, in AxisStencil<T> sy, in AxisStencil<T> sz, int nx, int ny)
    {
        CellStencil<T> c = default;
        int p0 = sz.I0 * ny, p1 = sz.I1 * ny;
        int r00 = (p0 + sy.I0) * nx, r01 = (p0 + sy.I1) * nx, r10 = (p1 + sy.I0) * nx, r11 = (p1 + sy.I1) * nx;
        T a00 = sz.W0 * sy.W0, a01 = sz.W0 * sy.W1, a10 = sz.W1 * sy.W0, a11 = sz.W1 * sy.W1;
        c.Offset[0] = r00 + sx.I0; c.Weight[0] = a00 * sx.W0;
        c.Offset[1] = r00 + sx.I1; c.Weight[1] = a00 * sx.W1;
        c.Offset[2] = r01 + sx.I0; c.Weight[2] = a01 * sx.W0;
        c.Offset[3] = r01 + sx.I1; c.Weight[3] = a01 * sx.W1;
        c.Offset[4] = r10 + sx.I0; c.Weight[4] = a10 * sx.W0;
        c.Offset[5] = r10 + sx.I1; c.Weight[5] = a10 * sx.W1;
        c.Offset[6] = r11 + sx.I0; c.Weight[6] = a11 * sx.W0;
        c.Offset[7] = r11 + sx.I1; c.Weight[7] = a11 * sx.W1;
        return c;
    }
}

/// <summary>Eight ints inline (no array).</summary>
[InlineArray(8)]
internal struct Int8 { private int _e; }

/// <summary>Eight weights inline (no array).</summary>
[InlineArray(8)]
internal struct Weights8<T> where T : unmanaged { private T _e; }
