using Geometrize.Numerics;
using static Geometrize.Tests.Numerics.KernelTestFields;

namespace Geometrize.Tests.Numerics;

public class SeparableLinearResamplerTests
{
    public static TheoryData<string> Cases() => new() { "2d-shrunk", "3d-shrunk-rotated", "3d-other-origin", "2d-upsample-from-1" };

    private static (ImageGeometry source, ImageGeometry target) Grids(string name) => name switch
    {
        // Coarse grid of the same extent that does not nest (sizes not divisible), as flow grids are.
        "2d-shrunk" => (ImageGeometry.Create2D(37, 29, 0.7, 1.3).Resized([5, 4]), ImageGeometry.Create2D(37, 29, 0.7, 1.3)),
        "3d-shrunk-rotated" => (Rotated3D(23, 19, 11, 1, 1.5, 2).Resized([4, 3, 2]), Rotated3D(23, 19, 11, 1, 1.5, 2)),
        "3d-other-origin" => (new ImageGeometry([9, 8, 7], [2.0, 2.5, 3.0], [-3, 1, 2]), new ImageGeometry([21, 17, 13], [1.0, 1.2, 1.4], [-6, 0, 0])),
        _ => (ImageGeometry.Create2D(1, 6, 10, 3), ImageGeometry.Create2D(9, 15, 1, 1)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesGeneralBorderInterpolationAtTheTargetVoxelCentres(string name)
    {
        var (sg, tg) = Grids(name);
        var resampler = SeparableLinearResampler<double>.TryCreate(sg, tg);
        Assert.NotNull(resampler);
        var source = RandomVector(sg, 3, new Random(4));
        var points = new VectorField<double>(tg);
        DisplacementFields.PhysicalToIndexMap(new VectorField<double>(tg), sg, points);
        var expected = new VectorField<double>(tg, 3);
        Interpolation.Interpolate(source, points, expected, BoundaryMode.Border);
        var actual = new VectorField<double>(tg, 3);
        resampler.Apply(source, actual);
        for (int i = 0; i < expected.Data.Length; i++) Assert.Equal(expected.Data[i], actual.Data[i], 1e-12);
        Assert.Contains(actual.Data, v => Math.Abs(v) > 0.1);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TransposeIsTheExactAdjoint(string name)
    {
        var (sg, tg) = Grids(name);
        var resampler = SeparableLinearResampler<double>.TryCreate(sg, tg)!;
        var rng = new Random(9);
        var x = RandomVector(sg, 2, rng);
        var y = RandomVector(tg, 2, rng);
        var ax = new VectorField<double>(tg, 2);
        var aty = new VectorField<double>(sg, 2);
        resampler.Apply(x, ax);
        resampler.ApplyTranspose(y, aty);
        double lhs = Dot<double>(ax.Data, y.Data), rhs = Dot<double>(x.Data, aty.Data);
        Assert.True(AdjointError(lhs, rhs, AbsDot<double>(ax.Data, y.Data)) < 1e-13, $"{lhs} vs {rhs}");
        Assert.True(Math.Abs(lhs) > 1e-3);
    }

    [Fact]
    public void GridsWithDifferentAxesAreNotSeparable()
    {
        var rotated = Rotated3D(10, 10, 10, 1, 1, 1);
        Assert.Null(SeparableLinearResampler<float>.TryCreate(ImageGeometry.Create3D(5, 5, 5), rotated));
        Assert.Null(SeparableLinearResampler<float>.TryCreate(ImageGeometry.Create2D(5, 5), rotated));
    }
}
