using Geometrize.Numerics;
using static Geometrize.Tests.Numerics.KernelTestFields;

namespace Geometrize.Tests.Numerics;

public class BSplineInterpolationTests
{
    /// <summary>Continuous-index sampling points of <paramref name="g"/>: the voxel centres shifted by <paramref name="shift"/>.</summary>
    private static VectorField<double> GridPoints(ImageGeometry g, double shift)
    {
        int d = g.Dimension, n = g.Count;
        var p = new VectorField<double>(g, d);
        for (int z = 0, i = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++, i++)
                {
                    p.Data[i] = x + shift;
                    p.Data[n + i] = y + shift;
                    if (d == 3) p.Data[2 * n + i] = z + shift;
                }
        return p;
    }

    [Theory]
    [InlineData(2, 13, 9, 1)]   // short lines: the mirrored start is summed exactly over a period
    [InlineData(3, 7, 6, 5)]
    [InlineData(2, 64, 40, 1)]  // long lines: the start is truncated at 1e-12
    [InlineData(3, 30, 25, 2)]  // an axis of 2 samples
    public void ReproducesTheSamplesAtVoxelCentres(int d, int nx, int ny, int nz)
    {
        var g = d == 2 ? ImageGeometry.Create2D(nx, ny) : ImageGeometry.Create3D(nx, ny, nz);
        var f = RandomScalar(g, new Random(3));
        var result = new ScalarField<double>(g);
        BSplineInterpolation.Interpolate(f, GridPoints(g, 0), result);
        for (int i = 0; i < g.Count; i++) Assert.Equal(f.Data[i], result.Data[i], 1e-11);
        // The coefficients are not the samples: the prefilter did something.
        var c = BSplineInterpolation.Coefficients(f);
        Assert.True(Enumerable.Range(0, g.Count).Max(i => Math.Abs(c.Data[i] - f.Data[i])) > 0.1);
    }

    [Fact]
    public void ReproducesCubicPolynomialsAwayFromTheBorder()
    {
        // A cubic spline reproduces cubics; the mirror extension only perturbs coefficients within a few voxels of
        // the border (the perturbation decays as |√3 − 2|^distance), so the middle must be exact to ~1e-9.
        var g = ImageGeometry.Create3D(48, 44, 40);
        static double P(double x, double y, double z) => 0.01 * x * x * x - 0.3 * x * y + 0.002 * y * y * z + z - 0.05 * z * z;
        var f = new ScalarField<double>(g);
        for (int z = 0, i = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++, i++) f.Data[i] = P(x, y, z);
        var pg = ImageGeometry.Create3D(6, 5, 4);
        var pts = new VectorField<double>(pg, 3);
        var rng = new Random(11);
        for (int i = 0; i < pg.Count; i++)
            for (int a = 0; a < 3; a++) pts.Data[a * pg.Count + i] = 18 + 6 * rng.NextDouble();
        var result = new ScalarField<double>(pg);
        BSplineInterpolation.Interpolate(f, pts, result);
        for (int i = 0; i < pg.Count; i++)
        {
            double x = pts.Data[i], y = pts.Data[pg.Count + i], z = pts.Data[2 * pg.Count + i];
            Assert.True(Math.Abs(result.Data[i] - P(x, y, z)) < 1e-8 * (1 + Math.Abs(P(x, y, z))), $"at ({x}, {y}, {z}): {result.Data[i]} vs {P(x, y, z)}");
        }
    }

    [Fact]
    public void IsFarMoreAccurateThanLinearOnASmoothImageShiftedByHalfAVoxel()
    {
        var g = ImageGeometry.Create2D(64, 64);
        static double F(double x, double y) => Math.Sin(2 * Math.PI * x / 9) * Math.Cos(2 * Math.PI * y / 11);
        var f = new ScalarField<double>(g);
        for (int y = 0, i = 0; y < g.Ny; y++)
            for (int x = 0; x < g.Nx; x++, i++) f.Data[i] = F(x, y);
        var pts = GridPoints(g, 0.5);
        var cubic = new ScalarField<double>(g);
        var linear = new ScalarField<double>(g);
        BSplineInterpolation.Interpolate(f, pts, cubic, BoundaryMode.Border);
        Interpolation.Interpolate(f, pts, linear, BoundaryMode.Border);
        double eCubic = 0, eLinear = 0;
        for (int y = 8, i; y < 56; y++)
            for (int x = 8; x < 56; x++)
            {
                i = x + 64 * y;
                eCubic = Math.Max(eCubic, Math.Abs(cubic.Data[i] - F(x + 0.5, y + 0.5)));
                eLinear = Math.Max(eLinear, Math.Abs(linear.Data[i] - F(x + 0.5, y + 0.5)));
            }
        Assert.True(eCubic < eLinear / 10, $"cubic {eCubic:g3} vs linear {eLinear:g3}");
        Assert.True(eLinear > 0.05);
    }

    [Fact]
    public void ZeroModeReadsZeroBeyondTheHalfVoxelBandAndBorderModeClamps()
    {
        var g = ImageGeometry.Create2D(10, 8);
        var f = RandomScalar(g, new Random(2));
        var pg = ImageGeometry.Create2D(3, 1);
        var pts = new VectorField<double>(pg, 2);
        double[] xs = [-0.6, 9.6, 4.2], ys = [3, 3, 8.1];
        for (int i = 0; i < 3; i++) { pts.Data[i] = xs[i]; pts.Data[3 + i] = ys[i]; }
        var zero = new ScalarField<double>(pg);
        BSplineInterpolation.Interpolate(f, pts, zero, BoundaryMode.Zero);
        Assert.All(zero.Data, v => Assert.Equal(0, v));
        var border = new ScalarField<double>(pg);
        BSplineInterpolation.Interpolate(f, pts, border, BoundaryMode.Border);
        var clampedPts = new VectorField<double>(pg, 2);
        double[] cx = [-0.5, 9.5, 4.2], cy = [3, 3, 7.5];
        for (int i = 0; i < 3; i++) { clampedPts.Data[i] = cx[i]; clampedPts.Data[3 + i] = cy[i]; }
        var clamped = new ScalarField<double>(pg);
        BSplineInterpolation.Interpolate(f, clampedPts, clamped, BoundaryMode.Zero);
        for (int i = 0; i < 3; i++) Assert.Equal(clamped.Data[i], border.Data[i], 1e-12);
        Assert.Contains(border.Data, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void FloatAndDoubleAgreeAndVectorFieldsInterpolatePerComponent()
    {
        var g = ImageGeometry.Create3D(12, 10, 9);
        var rng = new Random(8);
        var v = RandomVector(g, 2, rng);
        var pts = RandomPoints(ImageGeometry.Create3D(5, 4, 3), g, rng);
        var result = new VectorField<double>(pts.Geometry, 2);
        BSplineInterpolation.Interpolate(v, pts, result);
        var vf = new VectorField<float>(g, v.Data.Select(x => (float)x).ToArray(), 2);
        var pf = new VectorField<float>(pts.Geometry, pts.Data.Select(x => (float)x).ToArray(), 3);
        var rf = new VectorField<float>(pts.Geometry, 2);
        BSplineInterpolation.Interpolate(vf, pf, rf);
        for (int c = 0; c < 2; c++)
        {
            var single = new ScalarField<double>(pts.Geometry);
            BSplineInterpolation.Interpolate(v.ComponentCopy(c), pts, single);
            for (int i = 0; i < pts.Count; i++)
            {
                Assert.Equal(single.Data[i], result.Data[c * pts.Count + i], 1e-12);
                Assert.Equal(result.Data[c * pts.Count + i], rf.Data[c * pts.Count + i], 1e-4);
            }
        }
    }
}
