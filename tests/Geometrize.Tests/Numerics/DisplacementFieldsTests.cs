using Geometrize.Numerics;
using static Geometrize.Tests.Numerics.KernelTestFields;

namespace Geometrize.Tests.Numerics;

public class DisplacementFieldsTests
{
    [Fact]
    public void PhysicalToIndexMapMatchesTheGeometryAndRoundTrips()
    {
        var g = Rotated3D(9, 8, 7, 0.8, 1.2, 2);
        var sampled = new ImageGeometry([20, 18, 16], [0.5, 0.5, 1.5], [-2, 1, 0.5], Rotated3D(2, 2, 2, 1, 1, 1).Direction);
        var u = RandomVector(g, 3, new Random(7));
        var map = new VectorField<double>(g);
        DisplacementFields.PhysicalToIndexMap(u, sampled, map);
        Span<double> i = stackalloc double[3], p = stackalloc double[3], q = stackalloc double[3];
        foreach (var (x, y, z) in new[] { (0, 0, 0), (8, 7, 6), (3, 5, 2) })
        {
            int v = g.Index(x, y, z);
            i[0] = x; i[1] = y; i[2] = z;
            g.IndexToPhysical(i, p);
            for (int a = 0; a < 3; a++) p[a] += u.Component(a)[v];
            sampled.PhysicalToIndex(p, q);
            for (int a = 0; a < 3; a++) Assert.Equal(q[a], map.Component(a)[v], 1e-10);
        }
        var back = new VectorField<double>(g);
        DisplacementFields.IndexMapToPhysical(map, sampled, back);
        for (int k = 0; k < u.Data.Length; k++) Assert.Equal(u.Data[k], back.Data[k], 1e-10);
    }

    [Fact]
    public void ZeroDisplacementOnOwnGridIsTheIdentityMap()
    {
        var g = Rotated3D(6, 5, 4, 0.7, 1, 3);
        var map = new VectorField<double>(g);
        var id = new VectorField<double>(g);
        DisplacementFields.PhysicalToIndexMap(new VectorField<double>(g), g, map);
        DisplacementFields.IdentityMap(id);
        for (int k = 0; k < id.Data.Length; k++) Assert.Equal(id.Data[k], map.Data[k], 1e-10);
    }

    [Fact]
    public void IndexDisplacementConversionRoundTripsAndScalesBySpacing()
    {
        var g = ImageGeometry.Create2D(5, 4, 0.5, 2);
        var u = RandomVector(g, 2, new Random(1));
        var du = new VectorField<double>(g);
        DisplacementFields.PhysicalToIndexDisplacement(u, du);
        for (int v = 0; v < g.Count; v++)
        {
            Assert.Equal(u.Component(0)[v] / 0.5, du.Component(0)[v], 1e-12);
            Assert.Equal(u.Component(1)[v] / 2, du.Component(1)[v], 1e-12);
        }
        DisplacementFields.IndexToPhysicalDisplacement(du, du); // in place
        for (int k = 0; k < u.Data.Length; k++) Assert.Equal(u.Data[k], du.Data[k], 1e-12);
    }

    [Fact]
    public void ComposingWithZeroReturnsTheOtherField()
    {
        var g = Rotated3D(10, 9, 8, 1, 1.5, 0.8);
        var u = RandomVector(g, 3, new Random(2));
        var zero = new VectorField<double>(g);
        var r = new VectorField<double>(g);
        DisplacementFields.Compose(u, zero, r);
        for (int k = 0; k < u.Data.Length; k++) Assert.Equal(u.Data[k], r.Data[k], 1e-10);
        DisplacementFields.Compose(zero, u, r);
        for (int k = 0; k < u.Data.Length; k++) Assert.Equal(u.Data[k], r.Data[k], 1e-12);
    }

    [Fact]
    public void TranslationsAddAcrossDifferentGrids()
    {
        var gw = Rotated3D(8, 8, 8, 1, 1, 1);
        var gu = new ImageGeometry([30, 30, 30], [1.5, 1.5, 1.5], [-20, -20, -20]);
        var u = new VectorField<double>(gu);
        var w = new VectorField<double>(gw);
        double[] tu = [1.5, -2, 0.25], tw = [-0.5, 3, 1];
        for (int a = 0; a < 3; a++) { u.Component(a).Fill(tu[a]); w.Component(a).Fill(tw[a]); }
        DisplacementFields.Compose(u, w, w); // in place on w
        for (int a = 0; a < 3; a++) Assert.All(w.Component(a).ToArray(), x => Assert.Equal(tu[a] + tw[a], x, 1e-12));
    }

    [Fact]
    public void SmallDisplacementComposedWithItsNegativeIsNearlyZeroAndMatchesTheAnalyticComposition()
    {
        var g = ImageGeometry.Create2D(64, 48, 0.8, 1.2);
        const double eps = 0.6, k = 2 * Math.PI / 40; // amplitude (mm) and wavenumber (1/mm)
        double Ux(double x, double y) => eps * Math.Sin(k * x) * Math.Cos(k * y);
        double Uy(double x, double y) => eps * Math.Cos(k * x + 0.3);
        var u = new VectorField<double>(g);
        var minus = new VectorField<double>(g);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
            {
                int v = g.Index(x, y);
                double px = 0.8 * x, py = 1.2 * y;
                u.Component(0)[v] = Ux(px, py); u.Component(1)[v] = Uy(px, py);
                minus.Component(0)[v] = -Ux(px, py); minus.Component(1)[v] = -Uy(px, py);
            }
        var r = new VectorField<double>(g);
        DisplacementFields.Compose(u, minus, r);
        double maxResidual = 0, maxVsAnalytic = 0;
        for (int y = 4; y < 44; y++)
            for (int x = 4; x < 60; x++)
            {
                int v = g.Index(x, y);
                double px = 0.8 * x, py = 1.2 * y;
                double qx = px - Ux(px, py), qy = py - Uy(px, py);
                double ax = -Ux(px, py) + Ux(qx, qy), ay = -Uy(px, py) + Uy(qx, qy);
                maxResidual = Math.Max(maxResidual, Math.Max(Math.Abs(r.Component(0)[v]), Math.Abs(r.Component(1)[v])));
                maxVsAnalytic = Math.Max(maxVsAnalytic, Math.Max(Math.Abs(r.Component(0)[v] - ax), Math.Abs(r.Component(1)[v] - ay)));
            }
        // |u∘(−u)| ≈ |u|·|∇u| ≤ eps²·k·√2 ≈ 0.08; linear interpolation error ≤ h²k²eps/8 ≈ 0.003.
        Assert.True(maxResidual < 0.1 * eps * 2, $"residual {maxResidual}");
        Assert.True(maxVsAnalytic < 0.005, $"vs analytic {maxVsAnalytic}");
    }
}
