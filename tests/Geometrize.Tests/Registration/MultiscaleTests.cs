using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Tests.Registration;

public class MultiscaleTests
{
    /// <summary>An IProgress that records synchronously (Progress&lt;T&gt; would post to a thread-pool context).</summary>
    private sealed class Recorder(Action<RegistrationProgress>? onReport = null) : IProgress<RegistrationProgress>
    {
        public List<RegistrationProgress> Reports { get; } = [];
        public void Report(RegistrationProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    private static readonly ProblemFactory<float> TestFactory = (f, m, d, s) => new DisplacementTestProblem<float>(f, m, d, s);

    internal static RegistrationSettings TestSettings(int[] shrink, int[] iterations) => new()
    {
        Shrink = shrink,
        Iterations = iterations,
        Metric = new(Alpha: 0.5),
        Sigma = 0.05,
        Tolerance = 0,
    };

    /// <summary>A fixed image and a moving image deformed from it by a smooth displacement of about 2 voxels.</summary>
    internal static (ScalarField<float> Fixed, ScalarField<float> Moving) Pair(ImageGeometry g, int seed = 21)
    {
        var fixedImage = RegistrationTestImages.Blobs<float>(g, seed);
        var map = new VectorField<float>(g);
        DisplacementFields.IdentityMap(map);
        for (int y = 0; y < g.Ny; y++)
            for (int x = 0; x < g.Nx; x++)
            {
                int i = g.Index(x, y);
                map.Data[i] += (float)(2 * Math.Sin(2 * Math.PI * y / g.Ny));
                map.Data[g.Count + i] += (float)(1.5 * Math.Cos(2 * Math.PI * x / g.Nx));
            }
        var moving = new ScalarField<float>(g);
        Interpolation.Interpolate(fixedImage, map, moving);
        return (fixedImage, moving);
    }

    [Fact]
    public void TestProblemGradientIsExact()
    {
        // The driver tests rely on this problem; its gradient must be right (double, 2-D and 3-D).
        foreach (var g in new[] { new ImageGeometry([24, 20], [1.2, 0.8]), new ImageGeometry([12, 10, 8], [1.1, 0.9, 1.5]) })
        {
            var f = RegistrationTestImages.Blobs<double>(g, 1);
            var m = RegistrationTestImages.Blobs<double>(g, 2);
            var p = new DisplacementTestProblem<double>(f, m, new SsdDataTerm<double>(0.1), new RegistrationSettings { Metric = new(Alpha: 0.7) });
            var rng = new Random(4);
            var x = Enumerable.Range(0, p.Dimension).Select(_ => 1.5 * (rng.NextDouble() - 0.5)).ToArray();
            var dir = Enumerable.Range(0, p.Dimension).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var grad = new double[p.Dimension];
            double e0 = p.Evaluate(x, grad);
            var report = TaylorTest.Run(v => p.Evaluate(v, new double[p.Dimension]), x, grad, dir, [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5]);
            Assert.True(report.MinimumOrder(1e-11 * e0) > 1.9, report.ToString());
        }
    }

    [Fact]
    public void LevelFactorsDoNotShrinkAxesBelowEightVoxels()
    {
        Assert.Equal([4, 1], MultiscaleRegistration<float>.LevelFactors(ImageGeometry.Create2D(64, 12), 4));
        Assert.Equal([4, 4, 2], MultiscaleRegistration<float>.LevelFactors(ImageGeometry.Create3D(128, 128, 20), 4));
        Assert.Equal([1, 1], MultiscaleRegistration<float>.LevelFactors(ImageGeometry.Create2D(7, 5), 8));
        Assert.Equal([2, 2], MultiscaleRegistration<float>.LevelFactors(ImageGeometry.Create2D(221, 257), 2));
    }

    [Fact]
    public void ProlongationPreservesAnAffineParameterField()
    {
        var fine = new ImageGeometry([40, 32], [0.9, 1.3], [5, -3]);
        var coarse = Resampling.ShrunkGeometry(fine, [4, 4]);
        var settings = TestSettings([4, 1], [0, 0]);
        var pc = new DisplacementTestProblem<float>(new ScalarField<float>(coarse), new ScalarField<float>(coarse), new SsdDataTerm<float>(1), settings);
        var pf = new DisplacementTestProblem<float>(new ScalarField<float>(fine), new ScalarField<float>(fine), new SsdDataTerm<float>(1), settings);
        static double Field(int c, double px, double py) => c == 0 ? 0.3 * px - 0.2 * py + 1 : -0.1 * px + 0.05 * py - 2;
        var xc = new float[pc.Dimension];
        Span<double> p = stackalloc double[2];
        for (int y = 0; y < coarse.Ny; y++)
            for (int x = 0; x < coarse.Nx; x++)
            {
                coarse.IndexToPhysical([x, y], p);
                for (int c = 0; c < 2; c++) xc[c * coarse.Count + coarse.Index(x, y)] = (float)Field(c, p[0], p[1]);
            }
        var xf = new float[pf.Dimension];
        MultiscaleRegistration<float>.Prolong(pc, xc, pf, xf);
        int checkedVoxels = 0;
        Span<double> q = stackalloc double[2];
        for (int y = 0; y < fine.Ny; y++)
            for (int x = 0; x < fine.Nx; x++)
            {
                fine.IndexToPhysical([x, y], p);
                coarse.PhysicalToIndex(p, q);
                // Inside the hull of the coarse voxel centres linear interpolation reproduces an affine field exactly.
                if (q[0] < 0 || q[1] < 0 || q[0] > coarse.Nx - 1 || q[1] > coarse.Ny - 1) continue;
                for (int c = 0; c < 2; c++)
                    Assert.Equal(Field(c, p[0], p[1]), xf[c * fine.Count + fine.Index(x, y)], 1e-4);
                checkedVoxels++;
            }
        Assert.True(checkedVoxels > fine.Count / 2);
    }

    [Fact]
    public void EnergiesDecreaseAndProgressIsReportedPerIterationInLevelOrder()
    {
        var g = ImageGeometry.Create2D(64, 56, 1.1, 0.9);
        var (f, m) = Pair(g);
        var settings = TestSettings([4, 2, 1], [15, 10, 5]);
        var recorder = new Recorder();
        int createdBefore = DisplacementTestProblem<float>.Created;
        var result = new MultiscaleRegistration<float>(settings, TestFactory).Run(f, m, recorder);

        Assert.Equal(g, result.Problem.Geometry);
        Assert.Equal(3, result.Levels.Count);
        Assert.Equal(result.Iterations, result.Levels.Sum(l => l.Iterations));
        Assert.Equal(result.Iterations, recorder.Reports.Count);
        Assert.True(result.Iterations > 10);
        // Reports: levels in order, iterations 1..k within each level, a time estimate from the first report on.
        int level = 0, iteration = 0;
        foreach (var r in recorder.Reports)
        {
            Assert.Equal(3, r.Levels);
            Assert.True(r.Level >= level);
            if (r.Level > level) { level = r.Level; iteration = 0; }
            Assert.Equal(++iteration, r.Iteration);
            Assert.Equal(settings.Iterations[r.Level], r.MaxIterations);
            Assert.NotNull(r.Remaining);
        }
        // History: an initial record per level, then non-increasing energies within the level.
        foreach (var lv in result.Levels)
        {
            var records = result.History.Where(h => h.Level == lv.Level).ToList();
            Assert.Equal(0, records[0].Iteration);
            Assert.Equal(lv.Iterations + 1, records.Count);
            for (int k = 1; k < records.Count; k++)
                Assert.True(records[k].Energy.Total <= records[k - 1].Energy.Total * (1 + 1e-6), $"level {lv.Level} energy rose at iteration {k}");
            Assert.True(records[^1].Energy.Data < 0.5 * records[0].Energy.Data, $"level {lv.Level}: data {records[0].Energy.Data} -> {records[^1].Energy.Data}");
        }
        Assert.Equal(result.History[^1].Energy, result.FinalEnergy);
        // The prolonged solution starts each finer level well below the identity's data energy.
        var identity = new DisplacementTestProblem<float>(f, m, new SsdDataTerm<float>(0.05), settings);
        identity.Evaluate(new float[identity.Dimension], new float[identity.Dimension]);
        var fineStart = result.History.First(h => h.Level == 2 && h.Iteration == 0);
        Assert.True(fineStart.Energy.Data < 0.2 * identity.LastEnergy.Data, $"{fineStart.Energy.Data} vs identity {identity.LastEnergy.Data}");
        Assert.True(DisplacementTestProblem<float>.Created - createdBefore >= 3);
    }

    [Fact]
    public void CancellationThrowsAfterTheCurrentIteration()
    {
        var g = ImageGeometry.Create2D(48, 40);
        var (f, m) = Pair(g);
        using var cts = new CancellationTokenSource();
        var recorder = new Recorder(r => { if (r.Level == 1 && r.Iteration == 2) cts.Cancel(); });
        var driver = new MultiscaleRegistration<float>(TestSettings([2, 1], [10, 10]), TestFactory);
        Assert.ThrowsAny<OperationCanceledException>(() => driver.Run(f, m, recorder, cts.Token));
        var last = recorder.Reports[^1];
        Assert.Equal((1, 2), (last.Level, last.Iteration));

        using var already = new CancellationTokenSource();
        already.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => driver.Run(f, m, null, already.Token));
    }

    [Fact]
    public void MismatchedSchedulesNameTheIterationsOption()
    {
        var e = Assert.Throws<InvalidParameterException>(() => new MultiscaleRegistration<float>(TestSettings([4, 2, 1], [10, 5]), TestFactory));
        Assert.Equal("--iterations", e.Parameter);
        Assert.Contains("--shrink", e.Message);
    }

    [Fact]
    public void ZeroIterationLevelsStillProlongAndRecordTheirEnergy()
    {
        var g = ImageGeometry.Create2D(48, 40);
        var (f, m) = Pair(g);
        var result = new MultiscaleRegistration<float>(TestSettings([2, 1], [12, 0]), TestFactory).Run(f, m);
        Assert.Equal(2, result.History.Count(h => h.Iteration == 0));
        Assert.Equal(StopReason.MaxIterations, result.Levels[1].Reason);
        Assert.Contains(result.Parameters, v => v != 0);
        Assert.Equal(result.History[^1].Energy, result.FinalEnergy);
    }

    [Fact]
    public void GradientDescentIsUsedWhenAsked()
    {
        var g = ImageGeometry.Create2D(32, 32);
        var (f, m) = Pair(g);
        var settings = TestSettings([1], [8]) with { Optimizer = OptimizerKind.GradientDescent };
        var result = new MultiscaleRegistration<float>(settings, TestFactory).Run(f, m);
        Assert.True(result.FinalEnergy.Total < result.History[0].Energy.Total);
    }
}
