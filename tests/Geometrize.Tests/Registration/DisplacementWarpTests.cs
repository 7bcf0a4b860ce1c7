using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Tests.Registration;

public class DisplacementWarpTests
{
    /// <summary>A smooth non-constant pattern so that any misplacement shows.</summary>
    private static Image Pattern(ImageGeometry g)
    {
        var data = new float[g.Count];
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                    data[g.Index(x, y, z)] = (float)(Math.Sin(0.3 * x) + 0.05 * y * y + 0.7 * z + 0.01 * x * y);
        return new Image(g, data);
    }

    private static VectorField<float> Constant(ImageGeometry g, params float[] u)
    {
        var f = new VectorField<float>(g);
        for (int c = 0; c < u.Length; c++) f.Component(c).Fill(u[c]);
        return f;
    }

    [Fact]
    public void ZeroDisplacementReproducesTheInput2DAnd3D()
    {
        foreach (var g in new[] { new ImageGeometry([23, 17], [0.7, 1.3], [4, -2]), ImageGeometry.Create3D(11, 9, 7, 1.1, 0.9, 2.5) })
        {
            var input = Pattern(g);
            var output = DisplacementWarp.Warp(input, new VectorField<float>(g), g);
            Assert.True(output.Geometry.IsSameGrid(g));
            Assert.Equal(PixelType.Float32, output.SourceType);
            for (int i = 0; i < g.Count; i++) Assert.Equal(input.Data[i], output.Data[i], 4e-5f);
        }
    }

    [Fact]
    public void ConstantPhysicalShiftMovesThePatternByTheExpectedVoxels()
    {
        // Spacing 0.5 × 2 mm: u = (1.5, −4) mm is (+3, −2) voxels; output(x, y) = input(x + 3, y − 2).
        var g = new ImageGeometry([20, 15], [0.5, 2.0], [10, 3]);
        var input = Pattern(g);
        var output = DisplacementWarp.Warp(input, Constant(g, 1.5f, -4f), g);
        for (int y = 0; y < 15; y++)
            for (int x = 0; x < 20; x++)
            {
                int sx = x + 3, sy = y - 2;
                float expected = sx < 20 && sy >= 0 ? input.Data[g.Index(sx, sy)] : 0f;
                Assert.Equal(expected, output.Data[g.Index(x, y)], 1e-4f);
            }
    }

    [Fact]
    public void ConstantShiftIn3DWithARotatedGrid()
    {
        // Direction swaps x and y (a 90° rotation about z): a physical shift along x is a shift along index y.
        var g = new ImageGeometry([12, 10, 6], [1, 1.5, 2], [0, 0, 0], [0, -1, 0, 1, 0, 0, 0, 0, 1]);
        var input = Pattern(g);
        // Index axis 1 points along physical −x with spacing 1.5: u_x = −3 mm is +2 voxels along y; u_z = 2 mm is +1 voxel along z.
        var output = DisplacementWarp.Warp(input, Constant(g, -3f, 0f, 2f), g);
        for (int z = 0; z < 5; z++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 12; x++)
                    Assert.Equal(input.Data[g.Index(x, y + 2, z + 1)], output.Data[g.Index(x, y, z)], 1e-4f);
    }

    [Fact]
    public void NearestNeighbourKeepsLabelValuesAndType()
    {
        var g = ImageGeometry.Create2D(32, 24, 1.2, 0.8);
        int[] labels = [0, 3, 7, 250];
        var data = new float[g.Count];
        var rng = new Random(5);
        // Blocks of labels (a label map), so a sub-voxel shift changes little and blending would be visible.
        for (int y = 0; y < 24; y++) for (int x = 0; x < 32; x++) data[g.Index(x, y)] = labels[(x / 4 + 3 * (y / 6) + rng.Next(2)) % 4];
        var input = new Image(g, data, 1, PixelType.UInt8);
        var u = new VectorField<float>(g);
        for (int i = 0; i < g.Count; i++)
        {
            u.Component(0)[i] = (float)(1.7 * Math.Sin(0.2 * (i % 32)));
            u.Component(1)[i] = (float)(0.9 * Math.Cos(0.25 * (i / 32)));
        }
        var output = DisplacementWarp.Warp(input, u, g, WarpInterpolation.Nearest);
        Assert.Equal(PixelType.UInt8, output.SourceType);
        Assert.All(output.Data, v => Assert.Contains((int)v, labels));
        Assert.Equal(0f, output.Data.Count(v => v != MathF.Round(v)));
        // Linear warping of the same map does blend labels: the test above can fail.
        var linear = DisplacementWarp.Warp(input, u, g);
        Assert.Contains(linear.Data, v => !labels.Contains((int)v) || v != MathF.Round(v));

        // A shift below half a voxel (0.4 voxel) leaves the map unchanged under nearest neighbour.
        var small = DisplacementWarp.Warp(input, Constant(g, 0.4f * 1.2f, -0.4f * 0.8f), g, WarpInterpolation.Nearest);
        Assert.Equal(input.Data, small.Data);
    }

    [Fact]
    public void DisplacementOnAnotherGridIsResampledOntoTheReference()
    {
        // The same physical extent at half the resolution: a constant field resamples to the same constant.
        var fine = ImageGeometry.Create2D(24, 20, 1, 1);
        var coarse = fine.Resized([12, 10]);
        var input = Pattern(fine);
        var direct = DisplacementWarp.Warp(input, Constant(fine, 2f, 1f), fine);
        var viaCoarse = DisplacementWarp.Warp(input, Constant(coarse, 2f, 1f), fine);
        Assert.Equal(direct.Data, viaCoarse.Data);
        Assert.Equal(input.Data[fine.Index(7, 5)], direct.Data[fine.Index(5, 4)], 1e-4f);
    }

    [Fact]
    public void ReferenceGridDefinesTheOutputGrid()
    {
        // Input on a fine grid, reference = the input grid shifted by 2 voxels and cropped: zero u reads input at p.
        var g = ImageGeometry.Create2D(20, 16, 0.5, 0.5);
        var input = Pattern(g);
        var reference = new ImageGeometry([10, 8], [0.5, 0.5], [1.0, 1.5]);
        var output = DisplacementWarp.Warp(input, new VectorField<float>(reference), reference);
        Assert.Equal([10, 8], output.Geometry.Size.ToArray());
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 10; x++)
                Assert.Equal(input.Data[g.Index(x + 2, y + 3)], output.Data[reference.Index(x, y)], 1e-4f);
    }

    [Fact]
    public void MismatchedDimensionOrComponentsIsAClearError()
    {
        var g2 = ImageGeometry.Create2D(8, 8);
        var g3 = ImageGeometry.Create3D(8, 8, 4);
        var e = Assert.Throws<GridMismatchException>(() => DisplacementWarp.Warp(Pattern(g3), new VectorField<float>(g2), g3));
        Assert.Contains("displacement field is 2-D", e.Message);
        e = Assert.Throws<GridMismatchException>(() => DisplacementWarp.Warp(Pattern(g2), new VectorField<float>(g3), g3));
        Assert.Contains("input image is 2-D", e.Message);
        e = Assert.Throws<GridMismatchException>(() => DisplacementWarp.RequireDisplacement(Pattern(g3), "t.nii.gz"));
        Assert.Contains("t.nii.gz", e.Message);
        Assert.Contains("needs 3", e.Message);
        var nan = new Image(g2, new float[2 * g2.Count], 2);
        nan.Data[5] = float.NaN;
        Assert.Contains("t.nii.gz", Assert.Throws<GeometrizeException>(() => DisplacementWarp.RequireDisplacement(nan, "t.nii.gz")).Message);
    }
}
