using Geometrize.Numerics;

namespace Geometrize.Tests.Numerics;

public class GaussianSmoothingTests
{
    [Fact]
    public void ConstantIsPreservedInFloatAndDouble()
    {
        var g = ImageGeometry.Create3D(20, 11, 7, 0.5, 1, 2);
        var f = new ScalarField<float>(g);
        f.Span.Fill(3.25f);
        GaussianSmoothing.Smooth(f, f, 1.5); // in place
        Assert.All(f.Data, x => Assert.Equal(3.25f, x, 1e-5f));
        var d = new ScalarField<double>(g);
        d.Span.Fill(-2);
        var o = new ScalarField<double>(g);
        GaussianSmoothing.Smooth(d, o, 3);
        Assert.All(o.Data, x => Assert.Equal(-2, x, 1e-13));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void CentredDeltaKeepsItsMassAndGetsVarianceSigmaSquared(int d)
    {
        double[] h = [0.5, 1.0, 0.8];
        const double sigma = 2.0;
        var g = d == 2 ? ImageGeometry.Create2D(61, 41, h[0], h[1]) : ImageGeometry.Create3D(41, 25, 31, h[0], h[1], h[2]);
        var f = new ScalarField<double>(g);
        int cx = g.Nx / 2, cy = g.Ny / 2, cz = g.Nz / 2;
        f[cx, cy, cz] = 1;
        var s = new ScalarField<double>(g);
        var smoother = new GaussianSmoother<double>(g, sigma);
        for (int a = 0; a < d; a++) Assert.Equal((int)Math.Ceiling(4 * sigma / h[a]), smoother.Radius(a));
        smoother.Apply(f, s);
        double mass = 0;
        var m2 = new double[3];
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double v = s[x, y, z];
                    mass += v;
                    m2[0] += v * Math.Pow((x - cx) * h[0], 2);
                    m2[1] += v * Math.Pow((y - cy) * h[1], 2);
                    m2[2] += v * Math.Pow((z - cz) * h[2], 2);
                }
        Assert.Equal(1, mass, 1e-12);
        for (int a = 0; a < d; a++)
        {
            // ≈ σ² up to the 4σ truncation (which removes ~0.1 % of the variance) ...
            Assert.Equal(sigma * sigma, m2[a] / mass, 3e-3 * sigma * sigma);
            // ... and exactly the variance of the truncated sampled Gaussian, computed naively.
            double sv = sigma / h[a], num = 0, den = 0;
            int r = (int)Math.Ceiling(4 * sv);
            for (int k = -r; k <= r; k++) { double w = Math.Exp(-0.5 * k * k / (sv * sv)); num += w * k * k * h[a] * h[a]; den += w; }
            Assert.Equal(num / den, m2[a] / mass, 1e-10);
        }
        Assert.True(s[cx, cy, cz] < 0.1);
    }

    [Fact]
    public void LinearRampIsUnchangedAwayFromBordersAndClampedAtThem()
    {
        var g = ImageGeometry.Create2D(40, 5);
        var f = new ScalarField<double>(g);
        for (int y = 0; y < 5; y++) for (int x = 0; x < 40; x++) f[x, y] = x;
        var s = new ScalarField<double>(g);
        new GaussianSmoother<double>(g, [1.5, 0]).Apply(f, s);
        for (int x = 6; x < 34; x++) Assert.Equal(x, s[x, 2], 1e-12);
        // Clamp replicates f[0] = 0 on the left, so the border value is pulled up (mean of the clamped kernel > 0).
        Assert.True(s[0, 2] > 0.1);
    }

    [Fact]
    public void VectorComponentsAreSmoothedIndependentlyAndThreadCountDoesNotMatter()
    {
        var g = ImageGeometry.Create3D(33, 30, 28);
        var v = KernelTestFields.RandomVector(g, 3, new Random(5)).Convert<float>();
        var smoother = new GaussianSmoother<float>(g, 2);
        float[] Run(int t) => KernelTestFields.WithThreads(t, () => { var o = new VectorField<float>(g); smoother.Apply(v, o); return o.Data; });
        var one = Run(1);
        Assert.True(one.AsSpan().SequenceEqual(Run(2)));
        var c1 = new ScalarField<float>(g);
        smoother.Apply(v.ComponentCopy(1), c1);
        Assert.True(c1.Span.SequenceEqual(one.AsSpan(g.Count, g.Count)));
    }

    [Fact]
    public void NegativeSigmaIsRejected()
    {
        var e = Assert.Throws<InvalidParameterException>(() => new GaussianSmoother<float>(ImageGeometry.Create2D(4, 4), -1));
        Assert.Equal("sigma", e.Parameter);
    }
}
