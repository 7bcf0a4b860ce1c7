using Geometrize.Numerics;

namespace Geometrize.Tests.Numerics;

public class ResamplingTests
{
    private static double Smooth(double x, double y, double z) => Math.Sin(0.05 * x + 0.3) * Math.Cos(0.04 * y) + 0.02 * z;

    private static ScalarField<T> Sample<T>(ImageGeometry g) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var f = new ScalarField<T>(g);
        Span<double> i = stackalloc double[3], p = stackalloc double[3];
        int d = g.Dimension;
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    i[0] = x; i[1] = y; i[2] = z;
                    g.IndexToPhysical(i[..d], p[..d]);
                    f[x, y, z] = T.CreateTruncating(Smooth(p[0], p[1], d == 3 ? p[2] : 0));
                }
        return f;
    }

    [Fact]
    public void ShrinkThenResampleBackApproximatesTheOriginal()
    {
        var g = new ImageGeometry([96, 80], [1.0, 1.25], [5, -3]);
        var f = Sample<float>(g);
        var coarse = Resampling.Shrink(f, [2, 4]);
        Assert.Equal([48, 20], coarse.Geometry.Size.ToArray());
        var back = new ScalarField<float>(g);
        Resampling.ResampleLinear(coarse, back);
        double maxErr = 0;
        for (int y = 10; y < 70; y++) for (int x = 6; x < 90; x++) maxErr = Math.Max(maxErr, Math.Abs(back[x, y] - f[x, y]));
        // σ = f/2 voxels blurs sin(0.05x) by exp(−k²σ²/2) < 1.3 %; relative to amplitude 1.
        Assert.True(maxErr < 0.03, $"max error {maxErr}");
        // The coarse samples sit at block centres: coarse(0,0) ≈ f at fine index (0.5, 1.5).
        Span<double> p = stackalloc double[2];
        coarse.Geometry.IndexToPhysical([0.0, 0.0], p);
        Span<double> fi = stackalloc double[2];
        g.PhysicalToIndex(p, fi);
        Assert.Equal(0.5, fi[0], 1e-12);
        Assert.Equal(1.5, fi[1], 1e-12);
    }

    [Fact]
    public void ShrinkOfVectorFieldIn3DAndProlongationBack()
    {
        var g = KernelTestFields.Rotated3D(40, 36, 32, 1, 1, 1.5);
        var s = Sample<double>(g);
        var v = new VectorField<double>(g, 2);
        s.Span.CopyTo(v.Component(0));
        v.Component(1).Fill(1); // a constant survives smoothing and resampling exactly
        var coarse = Resampling.Shrink(v, [2, 2, 2]);
        var back = new VectorField<double>(g, 2);
        Resampling.ResampleLinear(coarse, back);
        Assert.All(back.Component(1).ToArray(), x => Assert.Equal(1, x, 1e-12));
        double maxErr = 0;
        for (int z = 4; z < 28; z++) for (int y = 4; y < 32; y++) for (int x = 4; x < 36; x++)
        {
            int i = g.Index(x, y, z);
            maxErr = Math.Max(maxErr, Math.Abs(back.Component(0)[i] - v.Component(0)[i]));
        }
        Assert.True(maxErr < 0.02, $"max error {maxErr}");
    }

    [Fact]
    public void ResampleOntoTheSameGridIsTheIdentity()
    {
        var g = KernelTestFields.Rotated3D(15, 12, 9, 0.7, 1.1, 2.3);
        var f = KernelTestFields.RandomScalar(g, new Random(3));
        var r = new ScalarField<double>(g);
        foreach (BoundaryMode m in Enum.GetValues<BoundaryMode>())
        {
            Resampling.ResampleLinear(f, r, m);
            for (int i = 0; i < g.Count; i++) Assert.Equal(f.Data[i], r.Data[i], 1e-12);
        }
        var g2 = ImageGeometry.Create2D(13, 8, 0.5, 2);
        var f2 = KernelTestFields.RandomScalar(g2, new Random(4)).Convert<float>();
        var r2 = new ScalarField<float>(g2);
        Resampling.ResampleLinear(f2, r2);
        Assert.Equal(f2.Data, r2.Data);
    }

    [Fact]
    public void ShiftedGridReadsShiftedVoxels()
    {
        double c = Math.Cos(0.5), s = Math.Sin(0.5);
        double[] dir = [c, -s, s, c];
        var src = new ImageGeometry([12, 10], [0.5, 2], [1, 1], dir);
        // Origin moved by 3 voxels along axis 0 and 2 along axis 1 (in physical units through the direction).
        Span<double> o = stackalloc double[2];
        src.IndexToPhysical([3.0, 2.0], o);
        var dst = new ImageGeometry([6, 5], [0.5, 2], o.ToArray(), dir);
        var f = KernelTestFields.RandomScalar(src, new Random(8));
        var r = new ScalarField<double>(dst);
        Resampling.ResampleLinear(f, r);
        for (int y = 0; y < 5; y++) for (int x = 0; x < 6; x++) Assert.Equal(f[x + 3, y + 2], r[x, y], 1e-12);
    }

    [Fact]
    public void InvalidShrinkFactorsAreRejected()
    {
        var f = new ScalarField<float>(ImageGeometry.Create2D(8, 8));
        Assert.Throws<InvalidParameterException>(() => Resampling.Shrink(f, [0, 2]));
        Assert.Throws<InvalidParameterException>(() => Resampling.Shrink(f, [2, 2, 2]));
    }

    [Fact]
    public void ShrinkWithAMinimumSigmaSmoothesUnshrunkAxesToo()
    {
        var g = ImageGeometry.Create3D(20, 18, 9, 1, 1.5, 2);
        var rng = new Random(6);
        var f = new ScalarField<double>(g, Enumerable.Range(0, g.Count).Select(_ => rng.NextDouble()).ToArray());
        // Factor 1 everywhere: exactly a Gaussian of 0.5 voxel per axis, on the same grid.
        var same = Resampling.Shrink(f, [1, 1, 1], 0.5);
        var expected = new ScalarField<double>(g);
        new GaussianSmoother<double>(g, [0.5, 0.75, 1.0]).Apply(f, expected);
        Assert.True(same.Geometry.IsSameGrid(g));
        for (int i = 0; i < g.Count; i++) Assert.Equal(expected.Data[i], same.Data[i], 1e-12);
        Assert.True(Enumerable.Range(0, g.Count).Max(i => Math.Abs(same.Data[i] - f.Data[i])) > 0.05);
        // A shrunk axis keeps its own, larger σ = f/2 voxels: the minimum changes nothing there.
        var shrunk = Resampling.Shrink(f, [2, 2, 1], 0.5);
        var plain = Resampling.Shrink(f, [2, 2, 1]);
        Assert.True(Enumerable.Range(0, shrunk.Data.Length).Max(i => Math.Abs(shrunk.Data[i] - plain.Data[i])) > 1e-3); // z now smoothed
        Assert.Throws<InvalidParameterException>(() => Resampling.Shrink(f, [1, 1, 1], -1));
    }
}
