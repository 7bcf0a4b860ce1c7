using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;
using Geometrize.Tests.Numerics;

namespace Geometrize.Tests.Registration;

public class DataTermTests
{
    private static readonly ImageGeometry Grid2 = new([24, 20], [1.2, 0.8]);
    private static readonly ImageGeometry Grid3 = new([12, 10, 8], [1.1, 0.9, 1.5]);

    public static TheoryData<string, int> Cases() => new()
    {
        { "ssd", 2 }, { "ssd", 3 }, { "ncc", 2 }, { "ncc", 3 }, { "lncc", 2 }, { "lncc", 3 },
    };

    private static IDataTerm<double> Term(string name, int radius = 2) => name switch
    {
        "ssd" => new SsdDataTerm<double>(0.1),
        "ncc" => new NccDataTerm<double>(0.1),
        _ => new LnccDataTerm<double>(radius, 0.1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientPassesTaylorTest(string name, int dimension)
    {
        var g = dimension == 2 ? Grid2 : Grid3;
        var target = RegistrationTestImages.Blobs<double>(g, 1, noise: 0.05);
        var warped = RegistrationTestImages.Blobs<double>(g, 2, noise: 0.05);
        var term = Term(name);
        var grad = new ScalarField<double>(g);
        double e0 = term.Evaluate(warped, target, grad);
        var rng = new Random(3);
        var dir = new double[g.Count];
        for (int i = 0; i < dir.Length; i++) dir[i] = 0.2 * (rng.NextDouble() - 0.5);
        double E(double[] w) => term.Evaluate(new ScalarField<double>(g, w), target, null);
        var report = TaylorTest.Run(E, warped.Data, grad.Data, dir);
        Assert.True(report.MinimumOrder(1e-12 * Math.Abs(e0)) > 1.9, report.ToString());
        // A wrong gradient must be seen (the test can fail).
        var wrong = (double[])grad.Data.Clone();
        for (int i = 0; i < wrong.Length; i += 3) wrong[i] *= 1.05;
        var bad = TaylorTest.Run(E, warped.Data, wrong, dir);
        Assert.True(bad.Orders[^1] < 1.2, bad.ToString());
    }

    [Theory]
    [InlineData("ssd")]
    [InlineData("ncc")]
    [InlineData("lncc")]
    public void IdenticalImagesAreMinimal(string name)
    {
        var g = Grid2;
        var t = RegistrationTestImages.Blobs<double>(g, 4, noise: 0.1);
        var term = Term(name);
        var grad = new ScalarField<double>(g);
        double same = term.Evaluate(t.Clone(), t, grad);
        var rng = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            var w = t.Clone();
            for (int i = 0; i < w.Count; i++) w.Data[i] += 0.02 * (rng.NextDouble() - 0.5);
            Assert.True(term.Evaluate(w, t, null) > same, $"{name}: a perturbation lowered the energy");
        }
        if (name != "lncc")
        {
            Assert.Equal(0, same, 10);
            Assert.True(grad.Data.Max(Math.Abs) < 1e-8, "gradient at the minimum is not zero");
        }
        else
        {
            var lncc = (LnccDataTerm<double>)term;
            // f = B²/(B² + ε) < 1 only through ε, which matters in the few windows whose sample variance is small.
            Assert.True(lncc.LastMeanCorrelation > 0.98 && lncc.LastMeanCorrelation <= 1, $"mean LNCC {lncc.LastMeanCorrelation}");
            var shifted = new ScalarField<double>(g);
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++) shifted[x, y] = t[Math.Max(0, x - 1), y];
            double shiftedEnergy = lncc.Evaluate(shifted, t, null);
            Assert.True(lncc.LastMeanCorrelation < 0.9 && shiftedEnergy > 5 * same, $"shifted: mean LNCC {lncc.LastMeanCorrelation}, energy {shiftedEnergy} vs {same}");
        }
    }

    [Fact]
    public void NccIsInvariantToAffineIntensityChanges()
    {
        var g = Grid3;
        var t = RegistrationTestImages.Blobs<double>(g, 6, noise: 0.05);
        var w = RegistrationTestImages.Blobs<double>(g, 7, noise: 0.05);
        var term = new NccDataTerm<double>(0.05);
        double e = term.Evaluate(w, t, null);
        var scaled = w.Clone();
        for (int i = 0; i < scaled.Count; i++) scaled.Data[i] = 3.5 * scaled.Data[i] - 0.7;
        Assert.Equal(e, term.Evaluate(scaled, t, null), 1e-9 * e);
        Assert.Equal(1, NccDataTerm<double>.Correlation(w.Data, scaled.Data), 12);
        for (int i = 0; i < scaled.Count; i++) scaled.Data[i] = -2 * w.Data[i] + 1;
        Assert.Equal(-1, NccDataTerm<double>.Correlation(w.Data, scaled.Data), 12);
        Assert.Equal(0, term.Evaluate(t, new ScalarField<double>(g), null)); // constant fixed image: D = 0
    }

    [Fact]
    public void NccEnergyEqualsSsdOfStandardisedImages()
    {
        // The documented scale: D_ncc(w, t) = D_ssd(ŵ, t) with ŵ = w standardised to t's mean and variance.
        var g = Grid2;
        var t = RegistrationTestImages.Blobs<double>(g, 8, noise: 0.05);
        var w = RegistrationTestImages.Blobs<double>(g, 9, noise: 0.05);
        double tm = t.Data.Average(), wm = w.Data.Average();
        double ts = Math.Sqrt(t.Data.Sum(v => (v - tm) * (v - tm))), ws = Math.Sqrt(w.Data.Sum(v => (v - wm) * (v - wm)));
        var standard = new ScalarField<double>(g, w.Data.Select(v => tm + (v - wm) * ts / ws).ToArray());
        double ncc = new NccDataTerm<double>(0.07).Evaluate(w, t, null);
        double ssd = new SsdDataTerm<double>(0.07).Evaluate(standard, t, null);
        Assert.Equal(ssd, ncc, 1e-9 * ssd);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void LnccMatchesNaiveWindows(int radius)
    {
        foreach (var g in new[] { Grid2, Grid3 })
        {
            var t = RegistrationTestImages.Blobs<double>(g, 10, noise: 0.1);
            var w = RegistrationTestImages.Blobs<double>(g, 11, noise: 0.1);
            double sigma = 0.2;
            double e = new LnccDataTerm<double>(radius, sigma).Evaluate(w, t, null);
            Assert.Equal(NaiveLncc(w, t, radius, sigma), e, 1e-9 * e);
        }
    }

    [Fact]
    public void LnccWithWholeImageWindowIsSquaredNcc()
    {
        var g = ImageGeometry.Create2D(9, 7);
        var t = RegistrationTestImages.Blobs<double>(g, 12, noise: 0.2);
        var w = RegistrationTestImages.Blobs<double>(g, 13, noise: 0.2);
        var lncc = new LnccDataTerm<double>(10, 1);
        double e = lncc.Evaluate(w, t, null);
        double ncc = NccDataTerm<double>.Correlation(w.Data, t.Data);
        Assert.Equal(ncc * ncc, lncc.LastMeanCorrelation, 4); // up to ε = 1e-9 in the denominator
        Assert.True(e > 0);
    }

    [Fact]
    public void LnccIsDeterministicAcrossThreadCountsAndAllocationFree()
    {
        var g = ImageGeometry.Create2D(160, 150);
        var t = RegistrationTestImages.Blobs<float>(g, 14, noise: 0.05);
        var w = RegistrationTestImages.Blobs<float>(g, 15, noise: 0.05);
        var term = new LnccDataTerm<float>(2, 0.05);
        var g1 = new ScalarField<float>(g);
        var g2 = new ScalarField<float>(g);
        double e1 = KernelTestFields.WithThreads(1, () => term.Evaluate(w, t, g1));
        double e2 = KernelTestFields.WithThreads(2, () => term.Evaluate(w, t, g2));
        Assert.Equal(e1, e2);
        Assert.Equal(g1.Data, g2.Data);

        var small = ImageGeometry.Create2D(40, 30); // small enough to run inline: no thread-pool allocations
        var ts = RegistrationTestImages.Blobs<float>(small, 16);
        var wsm = RegistrationTestImages.Blobs<float>(small, 17);
        var gs = new ScalarField<float>(small);
        foreach (IDataTerm<float> dt in new IDataTerm<float>[] { new LnccDataTerm<float>(2, 0.05), new NccDataTerm<float>(0.05) })
        {
            dt.Evaluate(wsm, ts, gs);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 5; k++) dt.Evaluate(wsm, ts, gs);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 256, $"{dt.Name} allocated {allocated} bytes in 5 calls");
        }
    }

    [Fact]
    public void FactoryBuildsTheRequestedTerm()
    {
        Assert.IsType<SsdDataTerm<float>>(DataTerms.Create<float>(new RegistrationSettings()));
        Assert.IsType<NccDataTerm<double>>(DataTerms.Create<double>(new RegistrationSettings { DataTerm = DataTermKind.Ncc }));
        var l = Assert.IsType<LnccDataTerm<float>>(DataTerms.Create<float>(new RegistrationSettings { DataTerm = DataTermKind.Lncc, LnccRadius = 3, Sigma = 0.2 }));
        Assert.Equal((3, 0.2, "lncc"), (l.Radius, l.Sigma, l.Name));
        Assert.Equal("--sigma", Assert.Throws<InvalidParameterException>(() => new NccDataTerm<float>(0)).Parameter);
        Assert.Equal("--radius", Assert.Throws<InvalidParameterException>(() => new LnccDataTerm<float>(0, 1)).Parameter);
    }

    private static double NaiveLncc(ScalarField<double> w, ScalarField<double> t, int r, double sigma)
    {
        var g = t.Geometry;
        double volume = 1;
        for (int a = 0; a < g.Dimension; a++) volume *= g.Spacing[a];
        double tm = t.Data.Average();
        double vt = t.Data.Sum(v => (v - tm) * (v - tm)) / t.Count;
        double sum = 0;
        int rz = g.Dimension == 3 ? r : 0;
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double sw = 0, st = 0, sww = 0, stt = 0, swt = 0;
                    int n = 0;
                    for (int k = Math.Max(0, z - rz); k <= Math.Min(g.Nz - 1, z + rz); k++)
                        for (int j = Math.Max(0, y - r); j <= Math.Min(g.Ny - 1, y + r); j++)
                            for (int i = Math.Max(0, x - r); i <= Math.Min(g.Nx - 1, x + r); i++)
                            {
                                double a = w[i, j, k], b = t[i, j, k];
                                sw += a; st += b; sww += a * a; stt += b * b; swt += a * b; n++;
                            }
                    double mw = sw / n, mt = st / n;
                    double cov = swt / n - mw * mt, va = sww / n - mw * mw, vb = stt / n - mt * mt;
                    sum += 1 - cov * cov / (va * vb + 1e-9);
                }
        return volume * vt / (sigma * sigma) * sum;
    }
}
