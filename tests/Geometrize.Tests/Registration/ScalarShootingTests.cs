using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;
using Geometrize.Tests.Diffeomorphisms;
using Xunit.Abstractions;

namespace Geometrize.Tests.Registration;

public class ScalarShootingTests(ITestOutputHelper output)
{
    private static double Ssd(ScalarField<float> a, ScalarField<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Count; i++) s += (double)(a.Data[i] - b.Data[i]) * (a.Data[i] - b.Data[i]);
        return s;
    }

    private static (double min, double max) DeterminantRange(VectorField<float> map)
    {
        var det = new ScalarField<float>(map.Geometry);
        Jacobian.MapDeterminant(map, det);
        return (det.Data.Min(), det.Data.Max());
    }

    /// <summary>Registers with L-BFGS (identity metric) from P_0 = 0; returns P_0.</summary>
    private float[] Register(ScalarShootingProblem<float> problem, int iterations)
    {
        var p0 = new float[problem.Dimension];
        var lbfgs = new Lbfgs<float>(new OptimizerOptions { MaxIterations = iterations, EnergyTolerance = 1e-9, GradientTolerance = 1e-9 },
            metric: problem.ApplyMetric);
        var r = lbfgs.Minimize(problem, p0);
        output.WriteLine($"L-BFGS: {r.Iterations} iterations, {r.Evaluations} evaluations, energy {r.Energy:0.0000e0} "
            + $"(regularity {problem.LastEnergy.Regularity:0.000e0}, data {problem.LastEnergy.Data:0.000e0}), stop: {r.Reason}");
        return p0;
    }

    /// <summary>
    /// A target made by shooting a random smooth P_0 from the smoothed Shepp–Logan phantom is recovered.
    /// </summary>
    [Fact]
    public void RecoversShotSheppLogan()
    {
        var phantom = Phantoms.SheppLogan2D(64);
        var moving = new ScalarField<float>(phantom.Geometry);
        GaussianSmoothing.Smooth(phantom, moving, 1.0);
        var g = moving.Geometry;
        var settings = new RegistrationSettings { Method = RegistrationMethod.ShootingScalar, Sigma = 0.02, TimeSteps = 10 };
        var maker = new ScalarShootingProblem<float>(moving, moving, new SsdDataTerm<float>(settings.Sigma), settings);
        var truth = ScalarMomentumShootingTestsAccess.RandomSmooth(g, new Random(21), 3.0).Select(v => (float)v).ToArray();
        maker.Shooting.Shoot(truth);
        float scale = (float)(2.5 / ScalarMomentumShootingTestsAccess.MaxDisplacement(maker.Shooting.FinalInverseMap));
        for (int i = 0; i < truth.Length; i++) truth[i] *= scale;
        var target = new ScalarField<float>(g);
        maker.Warp(truth, target);
        output.WriteLine($"true shot: max displacement {ScalarMomentumShootingTestsAccess.MaxDisplacement(maker.Shooting.FinalInverseMap):0.00} voxels");

        var problem = new ScalarShootingProblem<float>(target, moving, new SsdDataTerm<float>(settings.Sigma), settings);
        var p0 = Register(problem, 60);
        var warped = new ScalarField<float>(g);
        problem.Warp(p0, warped);
        double relative = Ssd(warped, target) / Ssd(moving, target);
        var inverse = new VectorField<float>(g);
        problem.InverseMap(p0, inverse);
        var forward = new VectorField<float>(g);
        problem.ForwardMap(p0, forward);
        var (dmin, dmax) = DeterminantRange(inverse);
        var (fmin, fmax) = DeterminantRange(forward);
        output.WriteLine($"relative SSD {relative:0.000e0}; det Dφ⁻¹ in [{dmin:0.000}, {dmax:0.000}], det Dφ in [{fmin:0.000}, {fmax:0.000}]");
        Assert.True(relative < 1e-2, $"relative SSD {relative}");
        Assert.True(dmin > 0 && fmin > 0, $"det range [{dmin}, {dmax}] / [{fmin}, {fmax}]");
    }

    [Fact]
    public void DiscToSquare()
    {
        var moving = Phantoms.Disc(64, 20);
        var fixedImage = Phantoms.Square(64, 40);
        var settings = new RegistrationSettings { Method = RegistrationMethod.ShootingScalar, Sigma = 0.05, TimeSteps = 10 };
        var problem = new ScalarShootingProblem<float>(fixedImage, moving, new SsdDataTerm<float>(settings.Sigma), settings);
        var p0 = Register(problem, 100);
        var warped = new ScalarField<float>(moving.Geometry);
        problem.Warp(p0, warped);
        double before = Ssd(moving, fixedImage), after = Ssd(warped, fixedImage);
        double reduction = 1 - after / before;
        var inverse = new VectorField<float>(moving.Geometry);
        problem.InverseMap(p0, inverse);
        var (dmin, dmax) = DeterminantRange(inverse);
        output.WriteLine($"SSD {before:0.0} -> {after:0.00}: reduced by {100 * reduction:0.0} %; det Dφ⁻¹ in [{dmin:0.000}, {dmax:0.000}]");
        Assert.True(reduction >= 0.90, $"SSD reduced by only {100 * reduction:0.0} %");
        Assert.True(dmin > 0, $"det min {dmin}");
    }

    /// <summary>
    /// Evaluate allocates nothing proportional to the grid: what remains are the closures of the parallel loops
    /// (a few hundred bytes per kernel call), the same on a 48² and a 160² grid (<see cref="EvaluateAllocation"/>).
    /// </summary>
    [Fact]
    public void EvaluateAllocatesNothingAfterWarmUp()
    {
        var settings = new RegistrationSettings { Method = RegistrationMethod.ShootingScalar, TimeSteps = 4 };
        EvaluateAllocation.AssertIndependentOfGrid(output,
            (f, m) => new ScalarShootingProblem<float>(f, m, new SsdDataTerm<float>(settings.Sigma), settings), 32 * 1024);
    }

    /// <summary>Energy and gradient are bitwise identical for 1 and 2 threads (fixed chunking, deterministic splats).</summary>
    [Fact]
    public void EvaluateIsDeterministicAcrossThreadCounts()
    {
        var moving = Phantoms.Disc(80, 22);
        var fixedImage = Phantoms.Square(80, 44);
        var settings = new RegistrationSettings { Method = RegistrationMethod.ShootingScalar, TimeSteps = 4 };
        var problem = new ScalarShootingProblem<float>(fixedImage, moving, new SsdDataTerm<float>(settings.Sigma), settings);
        var x = new float[problem.Dimension];
        for (int i = 0; i < x.Length; i++) x[i] = 3f * MathF.Sin(i * 0.017f);
        int saved = Parallelism.MaxDegreeOfParallelism;
        var g1 = new float[x.Length];
        var g2 = new float[x.Length];
        double e1, e2;
        try
        {
            Parallelism.MaxDegreeOfParallelism = 1;
            e1 = problem.Evaluate(x, g1);
            Parallelism.MaxDegreeOfParallelism = 2;
            e2 = problem.Evaluate(x, g2);
        }
        finally { Parallelism.MaxDegreeOfParallelism = saved; }
        Assert.Equal(e1, e2);
        Assert.Equal(g1, g2);
        Assert.Contains(g1, v => v != 0);
    }

    [Fact]
    public void TaylorTestThroughTheProblem()
    {
        var g = ImageGeometry.Create2D(24, 20, 1.2, 0.8);
        var moving = ScalarMomentumShootingTestsAccess.SmoothImage(g, 0.2);
        var fixedImage = ScalarMomentumShootingTestsAccess.SmoothImage(g, 0.9);
        var settings = new RegistrationSettings { Method = RegistrationMethod.ShootingScalar, TimeSteps = 6, Metric = new MetricParameters(2, 1, 2) };
        var problem = new ScalarShootingProblem<double>(fixedImage, moving, new SsdDataTerm<double>(0.1), settings);
        var rng = new Random(4);
        var p0 = ScalarMomentumShootingTestsAccess.RandomSmooth(g, rng, 1.5).Select(v => 150 * v).ToArray();
        var dir = ScalarMomentumShootingTestsAccess.RandomSmooth(g, rng, 1.5).Select(v => 150 * v).ToArray();
        var grad = new double[p0.Length];
        double e = problem.Evaluate(p0, grad);
        Assert.Equal(e, problem.Value(p0), 12);
        var mg = new double[grad.Length];
        var report = TaylorTest.Run(p => problem.Value(p), p0, grad, dir, null, (a, b) => { problem.ApplyMetric(b, mg); return a.ToArray().Zip(mg, (u, w) => u * w).Sum(); });
        output.WriteLine($"E={e:0.000e0}, max displacement {ScalarMomentumShootingTestsAccess.MaxDisplacement(problem.Shooting.FinalInverseMap):0.00}; {report}");
        Assert.True(report.MinimumOrder(1e-10) > 1.9, report.ToString());
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var a = new ScalarField<float>(ImageGeometry.Create2D(16, 16));
        var b = new ScalarField<float>(ImageGeometry.Create2D(16, 15));
        var settings = new RegistrationSettings { Method = RegistrationMethod.ShootingScalar };
        var ssd = new SsdDataTerm<float>(0.1);
        Assert.Throws<GridMismatchException>(() => new ScalarShootingProblem<float>(a, b, ssd, settings));
        var nan = a.Clone();
        nan.Data[7] = float.NaN;
        var ex = Assert.Throws<InvalidParameterException>(() => new ScalarShootingProblem<float>(a, nan, ssd, settings));
        Assert.Contains("--moving", ex.Message);
        Assert.Throws<InvalidParameterException>(() => new ScalarShootingProblem<float>(a, a, ssd, settings with { TimeSteps = 0 }));
        var p = new ScalarShootingProblem<float>(a, a, ssd, settings);
        Assert.Equal("shooting-scalar", p.Method);
        Assert.Equal(1, p.ParameterComponents);
        Assert.Throws<InvalidParameterException>(() => p.Evaluate(new float[10], new float[a.Count]));
    }
}

/// <summary>Shared helpers of <see cref="ScalarMomentumShootingTests"/>.</summary>
internal static class ScalarMomentumShootingTestsAccess
{
    public static ScalarField<double> SmoothImage(ImageGeometry g, double phase) => ScalarMomentumShootingTests.SmoothImage(g, phase);
    public static double[] RandomSmooth(ImageGeometry g, Random rng, double sigma) => ScalarMomentumShootingTests.RandomSmooth(g, rng, sigma);
    public static double MaxDisplacement<T>(VectorField<T> map) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => ScalarMomentumShootingTests.MaxDisplacement(map);
}
