using Geometrize.Numerics;
using static Geometrize.Tests.Numerics.KernelTestFields;

namespace Geometrize.Tests.Numerics;

public class InterpolationTests
{
    public static TheoryData<int, BoundaryMode> Cases()
    {
        var t = new TheoryData<int, BoundaryMode>();
        foreach (int d in new[] { 2, 3 })
            foreach (BoundaryMode m in Enum.GetValues<BoundaryMode>()) t.Add(d, m);
        return t;
    }

    private static (ImageGeometry sampled, ImageGeometry points) Grids(int d) =>
        d == 2 ? (ImageGeometry.Create2D(9, 7), ImageGeometry.Create2D(23, 19))
               : (ImageGeometry.Create3D(7, 6, 5), ImageGeometry.Create3D(13, 11, 9));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScalarSplatIsTheExactAdjoint(int d, BoundaryMode mode)
    {
        var (sg, pg) = Grids(d);
        var rng = new Random(5 + d);
        var f = RandomScalar(sg, rng);
        var pts = RandomPoints(pg, sg, rng);
        var w = RandomScalar(pg, rng);
        var sampled = new ScalarField<double>(pg);
        var splat = new ScalarField<double>(sg);
        Interpolation.Interpolate(f, pts, sampled, mode);
        InterpolationAdjoint.InterpolateAdjoint(w, pts, splat, mode, new SplatWorkspace());
        double lhs = Dot<double>(sampled.Data, w.Data), rhs = Dot<double>(f.Data, splat.Data);
        Assert.True(AdjointError(lhs, rhs, AbsDot<double>(sampled.Data, w.Data)) < 1e-12, $"{lhs} vs {rhs}");
        Assert.True(Math.Abs(lhs) > 1e-3);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorSplatIsTheExactAdjoint(int d, BoundaryMode mode)
    {
        var (sg, pg) = Grids(d);
        var rng = new Random(17 + d);
        var f = RandomVector(sg, 3, rng);
        var pts = RandomPoints(pg, sg, rng);
        var w = RandomVector(pg, 3, rng);
        var sampled = new VectorField<double>(pg, 3);
        var splat = new VectorField<double>(sg, 3);
        splat.Data.AsSpan().Fill(123); // overwritten, not accumulated
        Interpolation.Interpolate(f, pts, sampled, mode);
        InterpolationAdjoint.InterpolateAdjoint(w, pts, splat, mode, new SplatWorkspace());
        double lhs = Dot<double>(sampled.Data, w.Data), rhs = Dot<double>(f.Data, splat.Data);
        Assert.True(AdjointError(lhs, rhs, AbsDot<double>(sampled.Data, w.Data)) < 1e-12, $"{lhs} vs {rhs}");
    }

    [Fact]
    public void AccumulateAddsToTheExistingGrid()
    {
        var (sg, pg) = Grids(3);
        var rng = new Random(2);
        var pts = RandomPoints(pg, sg, rng);
        var w = RandomScalar(pg, rng);
        var once = new ScalarField<double>(sg);
        var ws = new SplatWorkspace();
        InterpolationAdjoint.InterpolateAdjoint(w, pts, once, BoundaryMode.Zero, ws);
        var twice = once.Clone();
        InterpolationAdjoint.InterpolateAdjoint(w, pts, twice, BoundaryMode.Zero, ws, accumulate: true);
        for (int i = 0; i < sg.Count; i++) Assert.Equal(2 * once.Data[i], twice.Data[i], 12);
    }

    [Theory]
    [InlineData(BoundaryMode.Zero)]
    [InlineData(BoundaryMode.Periodic)]
    public void SplatIsIdenticalForOneAndTwoThreads(BoundaryMode mode)
    {
        var sg = ImageGeometry.Create3D(40, 36, 32);
        var rng = new Random(9);
        var pts = RandomPoints(sg, sg, rng);
        var w = RandomScalar(sg, rng).Convert<float>();
        var ptsF = pts.Convert<float>();
        float[] Run(int threads) => WithThreads(threads, () =>
        {
            var r = new ScalarField<float>(sg);
            InterpolationAdjoint.InterpolateAdjoint(w, ptsF, r, mode, new SplatWorkspace());
            return r.Data;
        });
        var one = Run(1);
        var two = Run(2);
        var four = Run(4);
        Assert.True(one.AsSpan().SequenceEqual(two));
        Assert.True(one.AsSpan().SequenceEqual(four));
        // And it is the splat: a naive sequential scatter agrees to float round-off.
        var naive = new double[sg.Count];
        var probe = new ScalarField<double>(sg);
        var unit = new ScalarField<double>(sg);
        var ptsD = ptsF.Convert<double>();
        var wD = w.Convert<double>();
        for (int i = 0; i < 40; i++)
        {
            int v = rng.Next(sg.Count);
            probe.Data.AsSpan().Clear(); probe.Data[v] = 1;
            Interpolation.Interpolate(probe, ptsD, unit, mode);
            naive[v] = Dot<double>(unit.Data, wD.Data);
            Assert.Equal(naive[v], one[v], 2);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void LinearFunctionIsReproducedInside(int d)
    {
        var (sg, pg) = Grids(d);
        var f = new ScalarField<double>(sg);
        double F(double x, double y, double z) => 1.5 + 0.25 * x - 2 * y + (d == 3 ? 0.75 * z : 0);
        for (int z = 0; z < sg.Nz; z++) for (int y = 0; y < sg.Ny; y++) for (int x = 0; x < sg.Nx; x++) f[x, y, z] = F(x, y, z);
        var rng = new Random(1);
        var pts = new VectorField<double>(pg, d);
        for (int a = 0; a < d; a++)
            for (int i = 0; i < pg.Count; i++) pts.Component(a)[i] = rng.NextDouble() * (sg.Size[a] - 1);
        foreach (BoundaryMode mode in Enum.GetValues<BoundaryMode>())
        {
            var r = new ScalarField<double>(pg);
            Interpolation.Interpolate(f, pts, r, mode);
            for (int i = 0; i < pg.Count; i++)
                Assert.Equal(F(pts.Component(0)[i], pts.Component(1)[i], d == 3 ? pts.Component(2)[i] : 0), r.Data[i], 1e-11);
        }
    }

    [Fact]
    public void BoundaryModesBehaveAsDocumented()
    {
        var sg = ImageGeometry.Create2D(4, 1);
        var f = new ScalarField<double>(sg, [10, 20, 30, 40]);
        var pg = ImageGeometry.Create2D(6, 1);
        var pts = new VectorField<double>(pg, [-0.5, 3.5, -3, 1.25, 5, double.NaN, 0, 0, 0, 0, 0, 0], 2);
        double[] Sample(BoundaryMode m) { var r = new ScalarField<double>(pg); Interpolation.Interpolate(f, pts, r, m); return r.Data; }
        Assert.Equal([5, 20, 0, 22.5, 0, 0], Sample(BoundaryMode.Zero));
        Assert.Equal([10, 40, 10, 22.5, 40, 10], Sample(BoundaryMode.Border));
        Assert.Equal([25, 25, 20, 22.5, 20, 10], Sample(BoundaryMode.Periodic));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientWithRespectToPointsMatchesFiniteDifferences(int d, BoundaryMode mode)
    {
        var (sg, pg) = Grids(d);
        var rng = new Random(23);
        var f = RandomScalar(sg, rng);
        var pts = RandomPoints(pg, sg, rng);
        // Keep points (and their ± h probes) away from cell faces, where the derivative jumps.
        for (int i = 0; i < pts.Data.Length; i++)
        {
            double x = pts.Data[i];
            if (Math.Abs(x) > 1e6) continue;
            double frac = x - Math.Floor(x);
            if (frac < 0.01 || frac > 0.99) pts.Data[i] = Math.Floor(x) + 0.5;
        }
        var value = new ScalarField<double>(pg);
        var grad = new VectorField<double>(pg, d);
        var plain = new ScalarField<double>(pg);
        Interpolation.InterpolateWithGradient(f, pts, value, grad, mode);
        Interpolation.Interpolate(f, pts, plain, mode);
        for (int i = 0; i < pg.Count; i++) Assert.Equal(plain.Data[i], value.Data[i], 1e-13);
        const double h = 1e-6;
        var up = new ScalarField<double>(pg);
        var down = new ScalarField<double>(pg);
        int nonzero = 0;
        for (int a = 0; a < d; a++)
        {
            var shifted = pts.Clone();
            foreach (ref double x in shifted.Component(a)) x += h;
            Interpolation.Interpolate(f, shifted, up, mode);
            foreach (ref double x in shifted.Component(a)) x -= 2 * h;
            Interpolation.Interpolate(f, shifted, down, mode);
            for (int i = 0; i < pg.Count; i++)
            {
                // Far points (|x| ~ 1e7) cannot be probed with h = 1e-6 in double; near ones must match.
                if (Math.Abs(pts.Component(a)[i]) > 1e3) continue;
                double fd = (up.Data[i] - down.Data[i]) / (2 * h);
                Assert.True(Math.Abs(fd - grad.Component(a)[i]) < 1e-6, $"axis {a} point {i}: fd {fd} vs {grad.Component(a)[i]}");
                if (Math.Abs(fd) > 1e-3) nonzero++;
            }
        }
        Assert.True(nonzero > pg.Count / 2);
    }

    [Fact]
    public void FloatAndDoubleAgree()
    {
        var (sg, pg) = Grids(3);
        var rng = new Random(4);
        var f = RandomScalar(sg, rng);
        var pts = RandomPoints(pg, sg, rng);
        for (int i = 0; i < pts.Data.Length; i++) pts.Data[i] = Math.Clamp(pts.Data[i], -3, 12);
        var rd = new ScalarField<double>(pg);
        var rf = new ScalarField<float>(pg);
        Interpolation.Interpolate(f, pts, rd, BoundaryMode.Zero);
        Interpolation.Interpolate(f.Convert<float>(), pts.Convert<float>(), rf, BoundaryMode.Zero);
        for (int i = 0; i < pg.Count; i++) Assert.Equal(rd.Data[i], rf.Data[i], 4);
    }

    [Fact]
    public void WrongPointComponentCountIsRejected()
    {
        var (sg, pg) = Grids(3);
        var f = new ScalarField<double>(sg);
        Assert.Throws<GridMismatchException>(() => Interpolation.Interpolate(f, new VectorField<double>(pg, 2), new ScalarField<double>(pg)));
        Assert.Throws<GridMismatchException>(() => Interpolation.Interpolate(f, new VectorField<double>(pg, 3), new ScalarField<double>(sg)));
    }
}
