using Geometrize.Numerics;

namespace Geometrize.Tests.Numerics;

public class ImageGeometryTests
{
    [Fact]
    public void IndexToPhysicalRoundTripsWithRotatedDirection()
    {
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        var g = new ImageGeometry([10, 12, 7], [0.5, 2, 3], [1, -2, 5], [c, -s, 0, s, c, 0, 0, 0, 1]);
        Span<double> idx = [1.5, 2.25, 3], p = stackalloc double[3], back = stackalloc double[3];
        g.IndexToPhysical(idx, p);
        Assert.Equal(1 + c * 0.75 - s * 4.5, p[0], 12);
        Assert.Equal(-2 + s * 0.75 + c * 4.5, p[1], 12);
        Assert.Equal(5 + 9, p[2], 12);
        g.PhysicalToIndex(p, back);
        for (int a = 0; a < 3; a++) Assert.Equal(idx[a], back[a], 12);
    }

    [Theory]
    [InlineData(new[] { 0, 4 }, new[] { 1.0, 1.0 })]
    [InlineData(new[] { 4, 4 }, new[] { 0.0, 1.0 })]
    [InlineData(new[] { 4, 4 }, new[] { -1.0, 1.0 })]
    [InlineData(new[] { 70000, 70000 }, new[] { 1.0, 1.0 })]
    public void InvalidGeometryIsRejected(int[] size, double[] spacing)
    {
        Assert.Throws<InvalidParameterException>(() => new ImageGeometry(size, spacing));
    }

    [Fact]
    public void SingularDirectionIsRejected()
    {
        var e = Assert.Throws<InvalidParameterException>(() => new ImageGeometry([4, 4], [1, 1], [0, 0], [1, 1, 1, 1]));
        Assert.Contains("direction", e.Message);
    }

    [Fact]
    public void ResizedKeepsPhysicalExtent()
    {
        var g = ImageGeometry.Create2D(64, 32, 1, 2);
        var h = g.Resized([16, 8]);
        Assert.Equal(4, h.Spacing[0]);
        Assert.Equal(8, h.Spacing[1]);
        // The corner of voxel 0 (index −0.5) stays put.
        Span<double> p = stackalloc double[2];
        h.IndexToPhysical([-0.5, -0.5], p);
        Assert.Equal(-0.5, p[0], 12);
        Assert.Equal(-1.0, p[1], 12);
    }
}
