using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Tests.Diffeomorphisms;

public class FourierMetricTests
{
    private static VectorField<double> Random(ImageGeometry g, int seed)
    {
        var rng = new Random(seed);
        var f = new VectorField<double>(g);
        for (int i = 0; i < f.Data.Length; i++) f.Data[i] = rng.NextDouble() * 2 - 1;
        return f;
    }

    private static double MaxAbsDiff(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    private static double MaxAbs(double[] a) => a.Max(Math.Abs);

    public static TheoryData<int[], double[], MetricParameters> Cases => new()
    {
        { [12, 10], [1.0, 1.5], new MetricParameters(0.5, 1, 2) },
        { [9, 7], [0.7, 1.0], new MetricParameters(2.0, 0.3, 1.5) },
        { [6, 5, 4], [1.0, 2.0, 3.0], new MetricParameters(1.0, 1, 3) },
        { [12, 10], [1.0, 1.5], new MetricParameters(0.5, 1, 1, Beta: 2.0) },
        { [6, 5, 4], [1.0, 2.0, 1.5], new MetricParameters(1.0, 0.5, 2, Beta: 0.7) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KInvertsLExactly(int[] size, double[] spacing, MetricParameters p)
    {
        var g = new ImageGeometry(size, spacing);
        var metric = new FourierMetric<double>(g, p);
        var v = Random(g, 1);
        var m = new VectorField<double>(g);
        var back = new VectorField<double>(g);
        metric.ApplyL(v, m);
        metric.ApplyK(m, back);
        Assert.True(MaxAbsDiff(back.Data, v.Data) < 1e-12 * MaxAbs(v.Data), $"KLv differs from v by {MaxAbsDiff(back.Data, v.Data)}");
        metric.ApplyK(v, m);
        metric.ApplyL(m, back);
        Assert.True(MaxAbsDiff(back.Data, v.Data) < 1e-12 * MaxAbs(v.Data), $"LKv differs from v by {MaxAbsDiff(back.Data, v.Data)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KIsSymmetricPositiveDefinite(int[] size, double[] spacing, MetricParameters p)
    {
        foreach (bool pad in new[] { false, true })
        {
            var g = new ImageGeometry(size.Select(n => n + 1).ToArray(), spacing); // odd sizes so padding changes the grid
            var metric = new FourierMetric<double>(g, p, pad);
            var x = Random(g, 2);
            var y = Random(g, 3);
            var kx = new VectorField<double>(g);
            var ky = new VectorField<double>(g);
            metric.ApplyK(x, kx);
            metric.ApplyK(y, ky);
            double a = metric.InnerProduct(kx, y), b = metric.InnerProduct(x, ky);
            Assert.True(Math.Abs(a - b) < 1e-12 * (Math.Abs(a) + Math.Abs(b) + 1e-300), $"<Kx,y>={a} vs <x,Ky>={b} (pad={pad})");
            for (int seed = 10; seed < 15; seed++)
            {
                var z = Random(g, seed);
                Assert.True(metric.DualNorm2(z) > 0);
                Assert.True(metric.Norm2(z) > 0);
            }
        }
    }

    [Fact]
    public void ConstantsMapAsOneOverGammaToTheS()
    {
        var g = new ImageGeometry([8, 6, 5], [1.0, 0.5, 2.0]);
        var p = new MetricParameters(3.0, 0.5, 2.5, Beta: 1.0);
        var metric = new FourierMetric<double>(g, p);
        var c = new VectorField<double>(g);
        for (int a = 0; a < 3; a++) c.Component(a).Fill(a + 1.0);
        var kc = new VectorField<double>(g);
        metric.ApplyK(c, kc);
        for (int a = 0; a < 3; a++)
            foreach (double v in kc.Component(a).ToArray())
                Assert.Equal((a + 1.0) / Math.Pow(0.5, 2.5), v, 10);
    }

    /// <summary>L against an explicit periodic finite-difference stencil: (γ − αΔ_h)² − β D⁺(D⁺)ᵀ-form fluid term.</summary>
    [Fact]
    public void LMatchesExplicitStencil()
    {
        int nx = 9, ny = 8;
        double hx = 0.8, hy = 1.3, alpha = 0.6, gamma = 1.2, beta = 0.9;
        var g = new ImageGeometry([nx, ny], [hx, hy]);
        var v = Random(g, 4);
        var metric = new FourierMetric<double>(g, new MetricParameters(alpha, gamma, 2, beta));
        var lv = new VectorField<double>(g);
        metric.ApplyL(v, lv);

        int P(int i, int n) => ((i % n) + n) % n;
        double[] Helmholtz(double[] f)
        {
            var r = new double[f.Length];
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    double c = f[x + nx * y];
                    double lap = (f[P(x + 1, nx) + nx * y] - 2 * c + f[P(x - 1, nx) + nx * y]) / (hx * hx)
                               + (f[x + nx * P(y + 1, ny)] - 2 * c + f[x + nx * P(y - 1, ny)]) / (hy * hy);
                    r[x + nx * y] = gamma * c - alpha * lap;
                }
            return r;
        }
        var vx = v.Component(0).ToArray();
        var vy = v.Component(1).ToArray();
        // div with backward differences, grad with forward differences: −β ∇(∇·v).
        var div = new double[nx * ny];
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
                div[x + nx * y] = (vx[x + nx * y] - vx[P(x - 1, nx) + nx * y]) / hx + (vy[x + nx * y] - vy[x + nx * P(y - 1, ny)]) / hy;
        var ex = Helmholtz(Helmholtz(vx));
        var ey = Helmholtz(Helmholtz(vy));
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
            {
                int i = x + nx * y;
                ex[i] -= beta * (div[P(x + 1, nx) + nx * y] - div[i]) / hx;
                ey[i] -= beta * (div[x + nx * P(y + 1, ny)] - div[i]) / hy;
            }
        Assert.True(MaxAbsDiff(lv.Component(0).ToArray(), ex) < 1e-11 * MaxAbs(ex));
        Assert.True(MaxAbsDiff(lv.Component(1).ToArray(), ey) < 1e-11 * MaxAbs(ey));
    }

    [Fact]
    public void FloatOperatorMatchesDoubleToSinglePrecision()
    {
        var g = new ImageGeometry([16, 12], [1.0, 1.0]);
        var p = new MetricParameters(2.0, 1, 2);
        var vd = Random(g, 5);
        var kd = new VectorField<double>(g);
        new FourierMetric<double>(g, p).ApplyK(vd, kd);
        var vf = vd.Convert<float>();
        var kf = new VectorField<float>(g);
        var mf = new FourierMetric<float>(g, p);
        mf.ApplyK(vf, kf);
        Assert.True(MaxAbsDiff(kf.Convert<double>().Data, kd.Data) < 1e-5 * MaxAbs(kd.Data));
        // In-place application (same field in and out).
        mf.ApplyK(vf, vf);
        Assert.Equal(kf.Data, vf.Data);
    }

    [Fact]
    public void NormsAreConsistent()
    {
        var g = new ImageGeometry([10, 9], [1.0, 2.0]);
        var metric = new FourierMetric<double>(g, new MetricParameters(1.5, 1, 2, 0.5));
        var v = Random(g, 6);
        var m = new VectorField<double>(g);
        metric.ApplyL(v, m);
        Assert.Equal(metric.Norm2(v), metric.DualNorm2(m), 9);
        Assert.Equal(metric.Norm2(v), metric.InnerProduct(m, v), 12);
    }

    [Theory]
    [InlineData(0, 1, 1, 0, "--alpha")]
    [InlineData(1, -1, 1, 0, "--gamma")]
    [InlineData(1, 1, 0, 0, "--s")]
    [InlineData(1, 1, 1, -2, "--beta")]
    [InlineData(double.NaN, 1, 1, 0, "--alpha")]
    public void InvalidParametersNameTheOption(double alpha, double gamma, double s, double beta, string option)
    {
        var e = Assert.Throws<InvalidParameterException>(() => new FourierMetric<float>(ImageGeometry.Create2D(4, 4), new MetricParameters(alpha, gamma, s, beta)));
        Assert.Equal(option, e.Parameter);
    }

    [Fact]
    public void MismatchedFieldIsRejected()
    {
        var metric = new FourierMetric<float>(ImageGeometry.Create2D(8, 8), new MetricParameters(1));
        var other = new VectorField<float>(ImageGeometry.Create2D(8, 9));
        Assert.Throws<GridMismatchException>(() => metric.ApplyK(other, other));
    }
}
