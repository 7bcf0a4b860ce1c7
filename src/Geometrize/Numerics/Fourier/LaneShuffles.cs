using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Geometrize.Numerics.Fourier;

/// <summary>
/// Conversions between interleaved complex storage (re, im, re, im, ...) and the split rows of the batched
/// layout (all real parts, then all imaginary parts), with AVX2 shuffles for float and double and a scalar
/// fallback elsewhere. These copies sit on every line and column, so doing them in registers matters as much
/// as the butterflies.
/// </summary>
internal static class LaneShuffles<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>True when the AVX2 paths are used.</summary>
    public static bool Accelerated => Avx2.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>
    /// Splits one lane-width of interleaved complex values: <paramref name="lo"/> holds the first half of the
    /// complex values, <paramref name="hi"/> the second half (each a Vector256 of interleaved pairs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector256<T> lo, Vector256<T> hi, out Vector256<T> re, out Vector256<T> im)
    {
        if (typeof(T) == typeof(float))
        {
            var a = lo.AsSingle(); var b = hi.AsSingle();
            // Per 128-bit half: (a0 a2 b0 b2) = r0 r1 r4 r5 | r2 r3 r6 r7, then fix the 64-bit order.
            re = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).As<double, T>();
            im = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).As<double, T>();
        }
        else
        {
            var a = lo.AsDouble(); var b = hi.AsDouble();
            re = Avx2.Permute4x64(Avx.UnpackLow(a, b), 0b11_01_10_00).As<double, T>();
            im = Avx2.Permute4x64(Avx.UnpackHigh(a, b), 0b11_01_10_00).As<double, T>();
        }
    }

    /// <summary>Inverse of <see cref="Deinterleave"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector256<T> re, Vector256<T> im, out Vector256<T> lo, out Vector256<T> hi)
    {
        if (typeof(T) == typeof(float))
        {
            var r = Avx2.Permute4x64(re.AsDouble(), 0b11_01_10_00).AsSingle();
            var i = Avx2.Permute4x64(im.AsDouble(), 0b11_01_10_00).AsSingle();
            lo = Avx.UnpackLow(r, i).As<float, T>();
            hi = Avx.UnpackHigh(r, i).As<float, T>();
        }
        else
        {
            var r = Avx2.Permute4x64(re.AsDouble(), 0b11_01_10_00);
            var i = Avx2.Permute4x64(im.AsDouble(), 0b11_01_10_00);
            lo = Avx.UnpackLow(r, i).As<double, T>();
            hi = Avx.UnpackHigh(r, i).As<double, T>();
        }
    }

    /// <summary>
    /// Transposes complex values between lines and lanes: <paramref name="v"/>[l] holds complex values k..k+p−1 of
    /// line l (p = 4 for float, 2 for double; one Vector256 of interleaved pairs per line, Lanes lines); on return
    /// rows j &lt; p are in <paramref name="v"/> as (v[2j], v[2j+1]) = (first, second) half of the lanes of row k+j,
    /// still interleaved. The operation is its own inverse.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeComplex(Span<Vector256<T>> v)
    {
        if (typeof(T) == typeof(float))
        {
            // Two 4x4 transposes of 64-bit complex values (lines 0..3 and 4..7).
            Transpose4x4(ref v[0], ref v[1], ref v[2], ref v[3]);
            Transpose4x4(ref v[4], ref v[5], ref v[6], ref v[7]);
            // Row j = (lines 0..3 of row j, lines 4..7 of row j) = (v[j], v[4+j]); reorder in place.
            (Vector256<T> a0, Vector256<T> a1, Vector256<T> a2, Vector256<T> a3) = (v[0], v[1], v[2], v[3]);
            (Vector256<T> b0, Vector256<T> b1, Vector256<T> b2, Vector256<T> b3) = (v[4], v[5], v[6], v[7]);
            v[0] = a0; v[1] = b0; v[2] = a1; v[3] = b1; v[4] = a2; v[5] = b2; v[6] = a3; v[7] = b3;
        }
        else
        {
            // 4 lines × 2 complex doubles: row j = (lines 0,1 of row j, lines 2,3 of row j).
            var l0 = v[0].AsDouble(); var l1 = v[1].AsDouble(); var l2 = v[2].AsDouble(); var l3 = v[3].AsDouble();
            v[0] = Avx.Permute2x128(l0, l1, 0x20).As<double, T>();
            v[1] = Avx.Permute2x128(l2, l3, 0x20).As<double, T>();
            v[2] = Avx.Permute2x128(l0, l1, 0x31).As<double, T>();
            v[3] = Avx.Permute2x128(l2, l3, 0x31).As<double, T>();
        }
    }

    /// <summary>Inverse of <see cref="TransposeComplex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UntransposeComplex(Span<Vector256<T>> v)
    {
        if (typeof(T) == typeof(float))
        {
            (Vector256<T> a0, Vector256<T> b0, Vector256<T> a1, Vector256<T> b1) = (v[0], v[1], v[2], v[3]);
            (Vector256<T> a2, Vector256<T> b2, Vector256<T> a3, Vector256<T> b3) = (v[4], v[5], v[6], v[7]);
            v[0] = a0; v[1] = a1; v[2] = a2; v[3] = a3; v[4] = b0; v[5] = b1; v[6] = b2; v[7] = b3;
            Transpose4x4(ref v[0], ref v[1], ref v[2], ref v[3]);
            Transpose4x4(ref v[4], ref v[5], ref v[6], ref v[7]);
        }
        else
        {
            // The 2x2 block swap is an involution up to the order of the outputs.
            var r0 = v[0].AsDouble(); var r0b = v[1].AsDouble(); var r1 = v[2].AsDouble(); var r1b = v[3].AsDouble();
            v[0] = Avx.Permute2x128(r0, r1, 0x20).As<double, T>();
            v[1] = Avx.Permute2x128(r0, r1, 0x31).As<double, T>();
            v[2] = Avx.Permute2x128(r0b, r1b, 0x20).As<double, T>();
            v[3] = Avx.Permute2x128(r0b, r1b, 0x31).As<double, T>();
        }
    }

    /// <summary>4x4 transpose of 64-bit elements held in four Vector256.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(ref Vector256<T> r0, ref Vector256<T> r1, ref Vector256<T> r2, ref Vector256<T> r3)
    {
        var a = r0.AsDouble(); var b = r1.AsDouble(); var c = r2.AsDouble(); var d = r3.AsDouble();
        var t0 = Avx.UnpackLow(a, b);   // a0 b0 | a2 b2
        var t1 = Avx.UnpackHigh(a, b);  // a1 b1 | a3 b3
        var t2 = Avx.UnpackLow(c, d);   // c0 d0 | c2 d2
        var t3 = Avx.UnpackHigh(c, d);  // c1 d1 | c3 d3
        r0 = Avx.Permute2x128(t0, t2, 0x20).As<double, T>(); // a0 b0 c0 d0
        r1 = Avx.Permute2x128(t1, t3, 0x20).As<double, T>(); // a1 b1 c1 d1
        r2 = Avx.Permute2x128(t0, t2, 0x31).As<double, T>(); // a2 b2 c2 d2
        r3 = Avx.Permute2x128(t1, t3, 0x31).As<double, T>(); // a3 b3 c3 d3
    }
}
