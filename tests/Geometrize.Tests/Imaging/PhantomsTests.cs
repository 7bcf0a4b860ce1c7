using Geometrize.Imaging;

namespace Geometrize.Tests.Imaging;

public sealed class PhantomsTests
{
    // Published parameters, written out independently of the implementation: (intensity, a, b) in 2-D and
    // (intensity, a, b, c) in 3-D. Rotations and centres do not change areas/volumes.
    private static readonly (double A, double a, double b)[] Areas2D =
    [
        (1, .69, .92), (-.8, .6624, .874), (-.2, .11, .31), (-.2, .16, .41), (.1, .21, .25),
        (.1, .046, .046), (.1, .046, .046), (.1, .046, .023), (.1, .023, .023), (.1, .023, .046),
    ];

    private static readonly (double A, double a, double b, double c)[] Volumes3D =
    [
        (1, .69, .92, .81), (-.8, .6624, .874, .78), (-.2, .11, .31, .22), (-.2, .16, .41, .28), (.1, .21, .25, .41),
        (.1, .046, .046, .05), (.1, .046, .046, .05), (.1, .046, .023, .05), (.1, .023, .023, .02), (.1, .023, .046, .02),
    ];

    /// <summary>Pixel (i, j) whose centre is nearest the phantom point (x, y) in [-1, 1]² (y up, row 0 at the top).</summary>
    private static (int i, int j) At(int n, double x, double y) =>
        ((int)Math.Round((x + 1) * n / 2 - 0.5), (int)Math.Round((1 - y) * n / 2 - 0.5));

    [Fact]
    public void SheppLogan2D_SizeRangeAndLandmarks()
    {
        const int n = 256;
        var p = Phantoms.SheppLogan2D(n);
        Assert.Equal(n, p.Geometry.Nx);
        Assert.Equal(n, p.Geometry.Ny);
        Assert.Equal(2, p.Geometry.Dimension);
        Assert.All(p.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, p.Data.Max());
        float V(double x, double y) { var (i, j) = At(n, x, y); return p[i, j]; }
        Assert.Equal(0.2f, V(0, 0), 5);      // brain matter
        Assert.Equal(1f, V(0, 0.9), 5);      // skull at the top
        Assert.Equal(1f, V(0, -0.9), 5);     // skull at the bottom
        Assert.Equal(0f, V(0.22, 0), 5);     // right ventricle
        Assert.Equal(0f, V(-0.22, 0), 5);    // left ventricle
        Assert.Equal(0.3f, V(0, 0.35), 5);   // ellipse above the ventricles
        Assert.Equal(0.3f, V(0, -0.1), 5);   // small central blob
        Assert.Equal(0f, V(-0.95, 0.95), 5); // corner
        Assert.Equal(0f, V(0.8, 0), 5);      // outside the head
        // Every value is a sum of multiples of 0.1.
        Assert.All(p.Data, v => Assert.True(Math.Abs(v * 10 - Math.Round(v * 10)) < 1e-4, $"value {v}"));
    }

    [Fact]
    public void SheppLogan2D_MeanMatchesEllipseAreas()
    {
        // Mean over [-1,1]² = Σ A π a b / 4; pixel sampling of the boundaries adds an O(1/n) error.
        double expected = Areas2D.Sum(e => e.A * Math.PI * e.a * e.b) / 4;
        var p = Phantoms.SheppLogan2D(512);
        double mean = p.Data.Average(v => (double)v);
        Assert.InRange(mean, expected - 2e-4, expected + 2e-4);
    }

    [Fact]
    public void SheppLogan3D_SizeRangeLandmarksAndMean()
    {
        const int n = 96;
        var p = Phantoms.SheppLogan3D(n);
        Assert.Equal(3, p.Geometry.Dimension);
        Assert.Equal(n * n * n, p.Count);
        Assert.All(p.Data, v => Assert.InRange(v, 0f, 1f));
        float V(double x, double y, double z)
        {
            var (i, j) = At(n, x, y);
            int k = (int)Math.Round((z + 1) * n / 2 - 0.5);
            return p[i, j, k];
        }
        Assert.Equal(0.2f, V(0, 0, 0), 5);
        Assert.Equal(1f, V(0, 0.9, 0), 5);
        Assert.Equal(1f, V(0, 0, 0.8), 5);     // skull above (z semi-axis 0.81 vs 0.78)
        Assert.Equal(0f, V(0.22, 0, 0), 5);
        Assert.Equal(0f, V(-0.22, 0, 0), 5);
        Assert.Equal(0.3f, V(0, 0.35, -0.15), 5);
        Assert.Equal(0f, V(0.95, 0.95, 0.95), 5);
        Assert.Equal(0f, V(0, 0, 0.9), 5);
        double expected = Volumes3D.Sum(e => e.A * 4.0 / 3 * Math.PI * e.a * e.b * e.c) / 8;
        double mean = p.Data.Average(v => (double)v);
        Assert.InRange(mean, expected - 5e-4, expected + 5e-4);
    }

    [Fact]
    public void Disc_AreaAndSymmetry()
    {
        const int n = 64;
        const double r = 20;
        var hard = Phantoms.Disc(n, r);
        var soft = Phantoms.Disc(n, r, antialias: true);
        double area = Math.PI * r * r;
        Assert.InRange(hard.Data.Sum(v => (double)v), area - 2 * Math.PI * r * 0.3, area + 2 * Math.PI * r * 0.3);
        Assert.InRange(soft.Data.Sum(v => (double)v), area - 0.1, area + 0.1);
        Assert.All(hard.Data, v => Assert.True(v is 0f or 1f));
        Assert.All(soft.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(soft.Data, v => v is > 0f and < 1f);
        Assert.Equal(1f, soft[32, 32]);
        Assert.Equal(0f, soft[0, 0]);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
            {
                Assert.InRange(soft[i, j] - soft[n - 1 - i, j], -0.01f, 0.01f);
                Assert.InRange(soft[i, j] - soft[j, i], -0.01f, 0.01f);
            }
    }

    [Fact]
    public void Square_AreaIsExact()
    {
        var hard = Phantoms.Square(40, 10);
        Assert.Equal(100.0, hard.Data.Sum(v => (double)v));
        Assert.Equal(1f, hard[15, 15]);
        Assert.Equal(0f, hard[14, 15]);
        Assert.Equal(1f, hard[24, 24]);
        Assert.Equal(0f, hard[25, 24]);
        var soft = Phantoms.Square(40, 13.3, antialias: true);
        Assert.Equal(13.3 * 13.3, soft.Data.Sum(v => (double)v), 3);
        Assert.All(soft.Data, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<InvalidParameterException>(() => Phantoms.SheppLogan2D(2));
        Assert.Throws<InvalidParameterException>(() => Phantoms.SheppLogan3D(0));
        Assert.Equal("radius", Assert.Throws<InvalidParameterException>(() => Phantoms.Disc(10, 0)).Parameter);
        Assert.Equal("side", Assert.Throws<InvalidParameterException>(() => Phantoms.Square(10, double.NaN)).Parameter);
    }
}
