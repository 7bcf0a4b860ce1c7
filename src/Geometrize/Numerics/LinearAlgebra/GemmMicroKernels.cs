using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>
/// Register-tiled micro-kernels of the blocked GEMM (the innermost level of the GotoBLAS/BLIS loop nest).
/// Each computes one MR×NR tile C ← α·Ã·B̃ + β·C, where Ã is an MR-row micro-panel of packed A (MR values per
/// k step) and B̃ an NR-column micro-panel of packed B (NR values per k step). With β zero, C is overwritten.
/// The tile is accumulated in registers over the whole k extent of the block, so C is read and written once
/// per block; the vector kernels keep 6 × 2 accumulators, two B vectors and one broadcast of A live: 15 of the
/// 16 ymm registers of AVX2 (the AVX-512 kernel uses the same shape on zmm registers).
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Rows of a micro-tile (all kernels share it so that packed A has one layout).</summary>
    public const int MR = 6;

    /// <summary>Columns of the scalar kernel's micro-tile.</summary>
    public const int ScalarNR = 8;

    /// <summary>Largest NR of any kernel (the AVX-512 float kernel: 2 × 16), sizing the edge-tile scratch.</summary>
    public const int MaxNR = 32;

    /// <summary>Columns of the Vector256 kernel's micro-tile: two vectors.</summary>
    public static int Vector256NR<T>() => 2 * Vector256<T>.Count;

    /// <summary>Columns of the Vector512 kernel's micro-tile: two vectors.</summary>
    public static int Vector512NR<T>() => 2 * Vector512<T>.Count;

    /// <summary>Portable fallback: same packed layout, scalar multiply-add (no fusion, as a compiler would emit it).</summary>
    public static void Scalar<T>(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int nr = ScalarNR;
        T* acc = stackalloc T[MR * nr];
        for (int i = 0; i < MR * nr; i++) acc[i] = T.Zero;
        for (int p = 0; p < kc; p++, a += MR, b += nr)
        {
            for (int r = 0; r < MR; r++)
            {
                T ar = a[r];
                T* row = acc + r * nr;
                for (int j = 0; j < nr; j++) row[j] += ar * b[j];
            }
        }
        bool overwrite = beta == T.Zero;
        for (int r = 0; r < MR; r++)
        {
            T* crow = c + r * ldc;
            T* row = acc + r * nr;
            for (int j = 0; j < nr; j++) crow[j] = overwrite ? alpha * row[j] : alpha * row[j] + beta * crow[j];
        }
    }

    /// <summary>AVX2-sized kernel: 6 rows × 2 Vector256 (6×16 float, 6×8 double), fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Vector256Kernel<T>(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        PrefetchTile(c, ldc, 2 * w * sizeof(T));
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Unrolled by two k steps: halves the loop overhead beside the 12 FMAs per step.
        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var ar = Vector256.Create(a[0]);
            c00 = Fma(ar, b0, c00); c01 = Fma(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Fma(ar, b0, c10); c11 = Fma(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Fma(ar, b0, c20); c21 = Fma(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Fma(ar, b0, c30); c31 = Fma(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Fma(ar, b0, c40); c41 = Fma(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Fma(ar, b0, c50); c51 = Fma(ar, b1, c51);
            b0 = Vector256.Load(b + 2 * w);
            b1 = Vector256.Load(b + 3 * w);
            ar = Vector256.Create(a[6]);
            c00 = Fma(ar, b0, c00); c01 = Fma(ar, b1, c01);
            ar = Vector256.Create(a[7]);
            c10 = Fma(ar, b0, c10); c11 = Fma(ar, b1, c11);
            ar = Vector256.Create(a[8]);
            c20 = Fma(ar, b0, c20); c21 = Fma(ar, b1, c21);
            ar = Vector256.Create(a[9]);
            c30 = Fma(ar, b0, c30); c31 = Fma(ar, b1, c31);
            ar = Vector256.Create(a[10]);
            c40 = Fma(ar, b0, c40); c41 = Fma(ar, b1, c41);
            ar = Vector256.Create(a[11]);
            c50 = Fma(ar, b0, c50); c51 = Fma(ar, b1, c51);
            a += 2 * MR;
            b += 4 * w;
        }
        if (p < kc)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var ar = Vector256.Create(a[0]);
            c00 = Fma(ar, b0, c00); c01 = Fma(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Fma(ar, b0, c10); c11 = Fma(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Fma(ar, b0, c20); c21 = Fma(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Fma(ar, b0, c30); c31 = Fma(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Fma(ar, b0, c40); c41 = Fma(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Fma(ar, b0, c50); c51 = Fma(ar, b1, c51);
        }
        var al = Vector256.Create(alpha);
        if (beta == T.Zero)
        {
            Overwrite(c, w, c00, c01, al); Overwrite(c + ldc, w, c10, c11, al);
            Overwrite(c + 2 * ldc, w, c20, c21, al); Overwrite(c + 3 * ldc, w, c30, c31, al);
            Overwrite(c + 4 * ldc, w, c40, c41, al); Overwrite(c + 5 * ldc, w, c50, c51, al);
        }
        else
        {
            var be = Vector256.Create(beta);
            Update(c, w, c00, c01, al, be); Update(c + ldc, w, c10, c11, al, be);
            Update(c + 2 * ldc, w, c20, c21, al, be); Update(c + 3 * ldc, w, c30, c31, al, be);
            Update(c + 4 * ldc, w, c40, c41, al, be); Update(c + 5 * ldc, w, c50, c51, al, be);
        }
    }

    /// <summary>AVX-512-sized kernel: 6 rows × 2 Vector512 (6×32 float, 6×16 double), fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Vector512Kernel<T>(int kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        PrefetchTile(c, ldc, 2 * w * sizeof(T));
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var ar = Vector512.Create(a[0]);
            c00 = Fma(ar, b0, c00); c01 = Fma(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Fma(ar, b0, c10); c11 = Fma(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Fma(ar, b0, c20); c21 = Fma(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Fma(ar, b0, c30); c31 = Fma(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Fma(ar, b0, c40); c41 = Fma(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Fma(ar, b0, c50); c51 = Fma(ar, b1, c51);
            a += MR;
            b += 2 * w;
        }
        var al = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            Overwrite(c, w, c00, c01, al); Overwrite(c + ldc, w, c10, c11, al);
            Overwrite(c + 2 * ldc, w, c20, c21, al); Overwrite(c + 3 * ldc, w, c30, c31, al);
            Overwrite(c + 4 * ldc, w, c40, c41, al); Overwrite(c + 5 * ldc, w, c50, c51, al);
        }
        else
        {
            var be = Vector512.Create(beta);
            Update(c, w, c00, c01, al, be); Update(c + ldc, w, c10, c11, al, be);
            Update(c + 2 * ldc, w, c20, c21, al, be); Update(c + 3 * ldc, w, c30, c31, al, be);
            Update(c + 4 * ldc, w, c40, c41, al, be); Update(c + 5 * ldc, w, c50, c51, al, be);
        }
    }

    // The tile of C is touched only after the k loop; requesting its lines now hides their latency (C is usually
    // far larger than L2) behind the loop, which otherwise stalls on 12+ cache misses per tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile<T>(T* c, nint ldc, int rowBytes) where T : unmanaged
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < MR; r++)
        {
            byte* row = (byte*)(c + r * ldc);
            for (int o = 0; o < rowBytes; o += 64) Sse.Prefetch0(row + o);
            Sse.Prefetch0(row + rowBytes - 1);
        }
    }

    // x·y + z in one rounding; the type tests are constants per instantiation, so the JIT keeps one branch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
        return x * y + z;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
        return x * y + z;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Overwrite<T>(T* row, int w, Vector256<T> v0, Vector256<T> v1, Vector256<T> alpha) where T : unmanaged
    {
        Vector256.Store(alpha * v0, row);
        Vector256.Store(alpha * v1, row + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T>(T* row, int w, Vector256<T> v0, Vector256<T> v1, Vector256<T> alpha, Vector256<T> beta) where T : unmanaged
    {
        Vector256.Store(Fma(v0, alpha, beta * Vector256.Load(row)), row);
        Vector256.Store(Fma(v1, alpha, beta * Vector256.Load(row + w)), row + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Overwrite<T>(T* row, int w, Vector512<T> v0, Vector512<T> v1, Vector512<T> alpha) where T : unmanaged
    {
        Vector512.Store(alpha * v0, row);
        Vector512.Store(alpha * v1, row + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T>(T* row, int w, Vector512<T> v0, Vector512<T> v1, Vector512<T> alpha, Vector512<T> beta) where T : unmanaged
    {
        Vector512.Store(Fma(v0, alpha, beta * Vector512.Load(row)), row);
        Vector512.Store(Fma(v1, alpha, beta * Vector512.Load(row + w)), row + w);
    }
}
