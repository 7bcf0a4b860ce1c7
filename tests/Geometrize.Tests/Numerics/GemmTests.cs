using System.Numerics;
using Geometrize.Numerics;
using Geometrize.Numerics.LinearAlgebra;
using Xunit;

namespace Geometrize.Tests.Numerics;

public class GemmTests
{
    [Theory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(7, 5, 3, false, false)]
    [InlineData(7, 5, 3, true, false)]
    [InlineData(7, 5, 3, false, true)]
    [InlineData(33, 65, 17, true, true)]
    public void MatchesNaiveTripleLoop(int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(m * 100 + n * 10 + k);
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                expected[i * n + j] = 0.5 * s - 2 * c[i * n + j];
            }
        Gemm.Multiply<double>(a, b, c, m, n, k, ta ? Transpose.Yes : Transpose.No, tb ? Transpose.Yes : Transpose.No, 0.5, -2.0);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], c[i], 1e-12);
    }

    // Shapes straddling the micro-tile (6 × 8/16/32), block (MC 72/144, KC 256, NC 4080) and small-path edges.
    public static TheoryData<int, int, int> EdgeShapes => new()
    {
        { 1, 1, 1 }, { 5, 17, 3 }, { 15, 16, 17 }, { 16, 63, 64 }, { 17, 65, 5 }, { 63, 1, 257 },
        { 64, 257, 15 }, { 65, 5, 513 }, { 257, 64, 65 }, { 1, 257, 16 }, { 7, 4097, 9 }, { 150, 33, 300 },
    };

    [Theory]
    [MemberData(nameof(EdgeShapes))]
    public void BlockedPathMatchesReferenceForAllTransposesFloatAndDouble(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                CheckAgainstReference<double>(m, n, k, ta, tb, 0.75, -1.5, kernel: null, forceBlocked: true);
                CheckAgainstReference<float>(m, n, k, ta, tb, 0.75, -1.5, kernel: null, forceBlocked: true);
            }
    }

    [Theory]
    [MemberData(nameof(EdgeShapes))]
    public void DefaultPathMatchesReference(int m, int n, int k)
    {
        // Small products take the unpacked loop here, larger ones the blocked kernel.
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                CheckAgainstReference<double>(m, n, k, ta, tb, 1.0, 0.0, kernel: null, forceBlocked: false);
                CheckAgainstReference<float>(m, n, k, ta, tb, 2.0, 1.0, kernel: null, forceBlocked: false);
            }
    }

    [Theory]
    [InlineData(0)] // GemmKernelKind.Scalar (the enum is internal, so the theory takes its value)
    [InlineData(1)] // GemmKernelKind.Vector256
    [InlineData(2)] // GemmKernelKind.Vector512
    public void EveryMicroKernelMatchesReference(int kind)
    {
        var kernel = (GemmKernelKind)kind;
        // Vector512 runs in software where the CPU lacks AVX-512: slow but exact to the same rounding bound.
        foreach (var (m, n, k) in new[] { (13, 37, 29), (70, 45, 260) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    CheckAgainstReference<double>(m, n, k, ta, tb, -0.5, 2.0, kernel, forceBlocked: true);
                    CheckAgainstReference<float>(m, n, k, ta, tb, -0.5, 2.0, kernel, forceBlocked: true);
                }
    }

    [Fact]
    public void ScalarAndVectorKernelsAgreeToRoundOff()
    {
        int m = 50, n = 70, k = 300;
        var (a, b, c0) = RandomOperands<float>(m, n, k, seed: 3);
        var scalar = Run(a, b, c0, m, n, k, false, false, 1f, 1f, GemmKernelKind.Scalar);
        var v256 = Run(a, b, c0, m, n, k, false, false, 1f, 1f, GemmKernelKind.Vector256);
        var v512 = Run(a, b, c0, m, n, k, false, false, 1f, 1f, GemmKernelKind.Vector512);
        for (int i = 0; i < scalar.Length; i++)
        {
            Assert.Equal(scalar[i], v256[i], 1e-4f);
            Assert.Equal(v256[i], v512[i], 1e-4f);
        }
        Assert.NotEqual(scalar, new float[scalar.Length]);
    }

    [Theory]
    [InlineData(300, 200, 300)] // split by rows
    [InlineData(20, 700, 150)]  // split by columns
    [InlineData(129, 129, 600)] // several k blocks
    public void ResultsAreBitwiseIndependentOfThreadCount(int m, int n, int k)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        try
        {
            var (ad, bd, cd) = RandomOperands<double>(m, n, k, seed: 11);
            var (af, bf, cf) = RandomOperands<float>(m, n, k, seed: 12);
            Parallelism.MaxDegreeOfParallelism = 1;
            var d1 = Run(ad, bd, cd, m, n, k, false, true, 1.0, 0.5, null);
            var f1 = Run(af, bf, cf, m, n, k, true, false, 1f, 0.5f, null);
            Parallelism.MaxDegreeOfParallelism = 2;
            var d2 = Run(ad, bd, cd, m, n, k, false, true, 1.0, 0.5, null);
            var f2 = Run(af, bf, cf, m, n, k, true, false, 1f, 0.5f, null);
            Parallelism.MaxDegreeOfParallelism = 3;
            var f3 = Run(af, bf, cf, m, n, k, true, false, 1f, 0.5f, null);
            Assert.Equal(d1, d2);
            Assert.Equal(f1, f2);
            Assert.Equal(f1, f3);
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = saved;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BetaZeroOverwritesNaNAndBetaOneAccumulates(bool forceBlocked)
    {
        int m = 20, n = 30, k = 70;
        var (a, b, _) = RandomOperands<double>(m, n, k, seed: 5);
        var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
        Gemm.ForceBlocked = forceBlocked;
        try
        {
            Gemm.Multiply<double>(a, b, c, m, n, k);
            Assert.All(c, v => Assert.True(double.IsFinite(v)));
            var once = (double[])c.Clone();
            Gemm.Multiply<double>(a, b, c, m, n, k, beta: 1.0);
            for (int i = 0; i < c.Length; i++) Assert.Equal(2 * once[i], c[i], 1e-12);
        }
        finally
        {
            Gemm.ForceBlocked = false;
        }
    }

    [Fact]
    public void AlphaZeroOrEmptyInnerDimensionOnlyScalesC()
    {
        var a = new[] { double.NaN, 1, 2, 3 };
        var b = new[] { 4.0, 5, 6, 7 };
        var c = new[] { 1.0, 2, 3, 4 };
        Gemm.Multiply<double>(a, b, c, 2, 2, 2, alpha: 0.0, beta: 3.0);
        Assert.Equal(new[] { 3.0, 6, 9, 12 }, c);
        Gemm.Multiply<double>(a, b, c, 2, 2, 0, beta: 0.0);
        Assert.Equal(new double[4], c);
        Gemm.Multiply<double>(a, b, c, 0, 2, 2); // empty C: nothing to do, nothing thrown
    }

    [Fact]
    public void SerialBlockedCallAllocatesNothingOnceWarm()
    {
        int m = 100, n = 90, k = 80;
        var (a, b, c) = RandomOperands<float>(m, n, k, seed: 9);
        unsafe
        {
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            {
                Gemm.MultiplyCore(pa, pb, pc, m, n, k, false, true, 1f, 0f, null, forceBlocked: true, parallel: false);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int rep = 0; rep < 3; rep++)
                    Gemm.MultiplyCore(pa, pb, pc, m, n, k, false, true, 1f, 0f, null, forceBlocked: true, parallel: false);
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
    }

    [Theory]
    [InlineData(4, 3, 5, 2)]      // tiny items: one product per thread
    [InlineData(3, 140, 130, 120)] // large items: each product parallel inside
    public void BatchedMatchesSingleProductsWithSharedWeight(int batch, int m, int n, int k)
    {
        var rng = new Random(batch + m);
        var a = RandomArray<float>(batch * m * k, rng);
        var w = RandomArray<float>(n * k, rng); // one weight for the whole batch (stride 0), used transposed
        var c = RandomArray<float>(batch * m * n, rng);
        var expected = (float[])c.Clone();
        for (int i = 0; i < batch; i++)
            Gemm.Multiply<float>(a.AsSpan(i * m * k, m * k), w, expected.AsSpan(i * m * n, m * n), m, n, k,
                Transpose.No, Transpose.Yes, 0.5f, 2f);
        Gemm.MultiplyBatched<float>(a, m * k, w, 0, c, m * n, batch, m, n, k, Transpose.No, Transpose.Yes, 0.5f, 2f);
        Assert.Equal(expected, c);
    }

    [Fact]
    public void BadArgumentsThrowInvalidParameter()
    {
        var x = new double[16];
        Assert.Throws<InvalidParameterException>(() => Gemm.Multiply<double>(x, x, x, -1, 2, 2));
        Assert.Throws<InvalidParameterException>(() => Gemm.Multiply<double>(x, x, x, 5, 4, 4));
        Assert.Throws<InvalidParameterException>(() => Gemm.MultiplyBatched<double>(x, 4, x, 4, x, 2, 2, 2, 2, 2));
        Assert.Throws<InvalidParameterException>(() => Gemm.MultiplyBatched<double>(x, -4, x, 4, x, 4, 2, 2, 2, 2));
        Assert.Throws<InvalidParameterException>(() => Gemm.MultiplyBatched<double>(x, 4, x, 4, x, 4, 5, 2, 2, 2));
    }

    // Checks C ← α·op(A)·op(B) + β·C against a double-precision triple loop, within the standard forward error
    // bound |Ĉ − C| ≤ γ·(|α|·|op(A)|·|op(B)| + |β|·|C|) with γ ≈ (k + 2)·ε of the element type.
    private static void CheckAgainstReference<T>(int m, int n, int k, bool ta, bool tb, double alpha, double beta,
        GemmKernelKind? kernel, bool forceBlocked)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b, c0) = RandomOperands<T>(m, n, k, seed: m * 7919 + n * 31 + k + (ta ? 1 : 0) + (tb ? 2 : 0));
        var c = Run(a, b, c0, m, n, k, ta, tb, T.CreateChecked(alpha), T.CreateChecked(beta), kernel, forceBlocked);
        double eps = typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, bound = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateChecked(ta ? a[p * m + i] : a[i * k + p]);
                    double y = double.CreateChecked(tb ? b[j * k + p] : b[p * n + j]);
                    s += x * y;
                    bound += Math.Abs(x * y);
                }
                double old = double.CreateChecked(c0[i * n + j]);
                double expected = alpha * s + beta * old;
                double tol = (k + 2) * eps * (Math.Abs(alpha) * bound + Math.Abs(beta * old)) + 1e-300;
                double got = double.CreateChecked(c[i * n + j]);
                Assert.True(Math.Abs(got - expected) <= tol,
                    $"{typeof(T).Name} m={m} n={n} k={k} ta={ta} tb={tb} kernel={kernel}: C[{i},{j}] = {got}, expected {expected} ± {tol}");
            }
    }

    private static T[] Run<T>(T[] a, T[] b, T[] c0, int m, int n, int k, bool ta, bool tb, T alpha, T beta,
        GemmKernelKind? kernel, bool forceBlocked = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = (T[])c0.Clone();
        Gemm.KernelOverride = kernel;
        Gemm.ForceBlocked = forceBlocked;
        try
        {
            Gemm.Multiply<T>(a, b, c, m, n, k, ta ? Transpose.Yes : Transpose.No, tb ? Transpose.Yes : Transpose.No, alpha, beta);
        }
        finally
        {
            Gemm.KernelOverride = null;
            Gemm.ForceBlocked = false;
        }
        return c;
    }

    private static (T[] A, T[] B, T[] C) RandomOperands<T>(int m, int n, int k, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        return (RandomArray<T>(m * k, rng), RandomArray<T>(k * n, rng), RandomArray<T>(m * n, rng));
    }

    private static T[] RandomArray<T>(int count, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[count];
        for (int i = 0; i < count; i++) x[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        return x;
    }
}
