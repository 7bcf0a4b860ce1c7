using Geometrize.Numerics;

namespace Geometrize.Tests.Numerics;

public class JacobianTests
{
    private static double Det(double[,] a, int d) => d == 2
        ? a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
        : a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]) - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0]) + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);

    private static readonly double[,] A3 = { { 1.2, 0.3, -0.1 }, { -0.2, 0.9, 0.4 }, { 0.05, -0.3, 1.1 } };
    private static readonly double[,] A2 = { { 1.3, -0.4 }, { 0.25, 0.8 } };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void AffineIndexMapHasItsMatrixAndDeterminant(int d)
    {
        var g = d == 2 ? ImageGeometry.Create2D(37, 6) : ImageGeometry.Create3D(19, 5, 4);
        var a = d == 2 ? A2 : A3;
        var map = new VectorField<double>(g);
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double[] i = [x, y, z];
                    for (int r = 0; r < d; r++)
                    {
                        double s = 0.7 * r - 2;
                        for (int c = 0; c < d; c++) s += a[r, c] * i[c];
                        map.Component(r)[g.Index(x, y, z)] = s;
                    }
                }
        var m = new VectorField<double>(g, d * d);
        var det = new ScalarField<double>(g);
        Jacobian.MapMatrix(map, m);
        Jacobian.MapDeterminant(map, det);
        for (int v = 0; v < g.Count; v++)
        {
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++) Assert.Equal(a[r, c], m.Component(r * d + c)[v], 1e-12);
            Assert.Equal(Det(a, d), det.Data[v], 1e-12);
        }
    }

    [Fact]
    public void IdentityMapAndZeroDisplacementGiveOne()
    {
        var g = KernelTestFields.Rotated3D(21, 7, 5, 0.5, 1, 2);
        var map = new VectorField<float>(g);
        DisplacementFields.IdentityMap(map);
        var det = new ScalarField<float>(g);
        Jacobian.MapDeterminant(map, det);
        Assert.All(det.Data, x => Assert.Equal(1f, x));
        Jacobian.DisplacementDeterminant(new VectorField<float>(g), det);
        Assert.All(det.Data, x => Assert.Equal(1f, x, 1e-6f));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void AffinePhysicalDisplacementHasItsMatrixOnRotatedAnisotropicGrids(int d)
    {
        var g = d == 2
            ? new ImageGeometry([23, 9], [0.7, 1.9], [4, -1], [Math.Cos(0.3), -Math.Sin(0.3), Math.Sin(0.3), Math.Cos(0.3)])
            : KernelTestFields.Rotated3D(18, 7, 6, 0.6, 1.4, 2.2);
        var a = d == 2 ? A2 : A3;
        var u = new VectorField<double>(g);
        Span<double> idx = stackalloc double[3], p = stackalloc double[3];
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    idx[0] = x; idx[1] = y; idx[2] = z;
                    g.IndexToPhysical(idx[..d], p[..d]);
                    for (int r = 0; r < d; r++)
                    {
                        double s = 1.5 - p[r];
                        for (int c = 0; c < d; c++) s += a[r, c] * p[c];
                        u.Component(r)[g.Index(x, y, z)] = s;
                    }
                }
        var m = new VectorField<double>(g, d * d);
        var det = new ScalarField<double>(g);
        Jacobian.DisplacementMatrix(u, m);
        Jacobian.DisplacementDeterminant(u, det);
        for (int v = 0; v < g.Count; v++)
        {
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++) Assert.Equal(a[r, c], m.Component(r * d + c)[v], 1e-11);
            Assert.Equal(Det(a, d), det.Data[v], 1e-11);
        }
    }

    [Fact]
    public void WrongComponentCountIsRejected()
    {
        var g = ImageGeometry.Create3D(4, 4, 4);
        Assert.Throws<GridMismatchException>(() => Jacobian.MapDeterminant(new VectorField<double>(g, 2), new ScalarField<double>(g)));
        Assert.Throws<GridMismatchException>(() => Jacobian.MapMatrix(new VectorField<double>(g), new VectorField<double>(g, 3)));
    }
}
