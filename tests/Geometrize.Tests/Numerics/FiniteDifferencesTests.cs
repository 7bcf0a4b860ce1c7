using Geometrize.Numerics;
using static Geometrize.Tests.Numerics.KernelTestFields;

namespace Geometrize.Tests.Numerics;

public class FiniteDifferencesTests
{
    public static TheoryData<int[], double[]> Grids => new()
    {
        { new[] { 17, 9 }, new[] { 0.7, 1.3 } },
        { new[] { 2, 5 }, new[] { 1.0, 2.0 } },
        { new[] { 1, 6 }, new[] { 1.0, 1.0 } },
        { new[] { 13, 7, 6 }, new[] { 0.5, 1.2, 2.0 } },
        { new[] { 3, 1, 2 }, new[] { 1.0, 1.0, 3.0 } },
        { new[] { 40, 33, 5 }, new[] { 1.1, 0.9, 1.7 } },
    };

    [Theory]
    [MemberData(nameof(Grids))]
    public void GradientAdjointIsTheExactTranspose(int[] size, double[] spacing)
    {
        var g = new ImageGeometry(size, spacing);
        var rng = new Random(11);
        var f = RandomScalar(g, rng);
        var v = RandomVector(g, g.Dimension, rng);
        var grad = new VectorField<double>(g);
        var adj = new ScalarField<double>(g);
        FiniteDifferences.Gradient(f, grad);
        FiniteDifferences.GradientAdjoint(v, adj);
        double lhs = Dot<double>(grad.Data, v.Data), rhs = Dot<double>(f.Data, adj.Data);
        Assert.True(AdjointError(lhs, rhs, AbsDot<double>(grad.Data, v.Data)) < 1e-12, $"<Gf,v>={lhs} <f,G'v>={rhs}");
        Assert.True(Math.Abs(lhs) > 1e-3);
    }

    [Fact]
    public void GradientAdjointDiffersFromMinusDivergenceOnlyNearBorders()
    {
        var g = ImageGeometry.Create3D(12, 10, 9, 1, 2, 0.5);
        var v = RandomVector(g, 3, new Random(3));
        var adj = new ScalarField<double>(g);
        var div = new ScalarField<double>(g);
        FiniteDifferences.GradientAdjoint(v, adj);
        FiniteDifferences.Divergence(v, div);
        bool borderDiffers = false;
        for (int z = 0; z < 9; z++)
            for (int y = 0; y < 10; y++)
                for (int x = 0; x < 12; x++)
                {
                    bool interior = x >= 2 && x <= 9 && y >= 2 && y <= 7 && z >= 2 && z <= 6;
                    double sum = adj[x, y, z] + div[x, y, z];
                    if (interior) Assert.Equal(0, sum, 12);
                    else if (Math.Abs(sum) > 1e-6) borderDiffers = true;
                }
        Assert.True(borderDiffers);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void GradientOfLinearFunctionIsExactIncludingBorders(int d)
    {
        var g = d == 2 ? ImageGeometry.Create2D(11, 7, 0.5, 2) : ImageGeometry.Create3D(9, 6, 5, 0.5, 2, 1.5);
        double[] slope = [0.3, -1.7, 2.2];
        var f = new ScalarField<double>(g);
        var ff = new ScalarField<float>(g);
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double v = 4 + slope[0] * x * g.Spacing[0] + slope[1] * y * g.Spacing[1] + (d == 3 ? slope[2] * z * g.Spacing[2] : 0);
                    f[x, y, z] = v; ff[x, y, z] = (float)v;
                }
        var grad = new VectorField<double>(g);
        var gradF = new VectorField<float>(g);
        FiniteDifferences.Gradient(f, grad);
        FiniteDifferences.Gradient(ff, gradF);
        for (int a = 0; a < d; a++)
            for (int i = 0; i < g.Count; i++)
            {
                Assert.Equal(slope[a], grad.Component(a)[i], 10);
                Assert.Equal(slope[a], gradF.Component(a)[i], 3);
            }
    }

    [Fact]
    public void DivergenceOfLinearFieldIsTheTrace()
    {
        var g = ImageGeometry.Create3D(8, 7, 6, 0.8, 1.1, 1.9);
        double[,] b = { { 0.5, 1, -2 }, { 3, -1.25, 0.5 }, { 1, 2, 2.5 } };
        var v = new VectorField<double>(g);
        for (int z = 0; z < 6; z++)
            for (int y = 0; y < 7; y++)
                for (int x = 0; x < 8; x++)
                {
                    double[] p = [x * 0.8, y * 1.1, z * 1.9];
                    for (int a = 0; a < 3; a++)
                        v.Component(a)[g.Index(x, y, z)] = b[a, 0] * p[0] + b[a, 1] * p[1] + b[a, 2] * p[2];
                }
        var div = new ScalarField<double>(g);
        FiniteDifferences.Divergence(v, div);
        foreach (double x in div.Data) Assert.Equal(0.5 - 1.25 + 2.5, x, 10);
    }

    [Fact]
    public void MismatchedGridsAreRejected()
    {
        var f = new ScalarField<double>(ImageGeometry.Create2D(5, 5));
        var grad = new VectorField<double>(ImageGeometry.Create2D(5, 6));
        Assert.Throws<GridMismatchException>(() => FiniteDifferences.Gradient(f, grad));
        Assert.Throws<GridMismatchException>(() => FiniteDifferences.Gradient(f, new VectorField<double>(f.Geometry, 3)));
    }
}
