using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;
using Geometrize.Tests.Diffeomorphisms;
using Xunit.Abstractions;

namespace Geometrize.Tests.Registration;

public class LddmmTests(ITestOutputHelper output)
{
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Ssd(ScalarField<float> a, ScalarField<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Count; i++) s += (double)(a.Data[i] - b.Data[i]) * (a.Data[i] - b.Data[i]);
        return s;
    }

    public static TheoryData<int, int, int> TaylorCases => new() { { 2, 3, 1 }, { 2, 4, 1 }, { 2, 5, 1 }, { 2, 5, 2 }, { 2, 6, 1 }, { 3, 3, 1 }, { 3, 4, 1 }, { 3, 5, 1 }, { 3, 6, 1 } };

    /// <summary>
    /// The returned V-gradient is the exact gradient of the discrete energy: with ⟨a, b⟩_M = a·(M b) the Taylor
    /// remainder falls as ε² from ε = 1e-2 to 1e-5 (3 decades) on anisotropic 2-D and 3-D grids.
    /// </summary>
    [Theory]
    [MemberData(nameof(TaylorCases))]
    public void GradientPassesTaylorTest(int dimension, int steps, int seed)
    {
        var g = dimension == 2 ? new ImageGeometry([24, 20], [1.0, 1.3]) : new ImageGeometry([12, 10, 8], [1.0, 1.2, 0.9]);
        var settings = new RegistrationSettings { Metric = new MetricParameters(2, 1, 2), TimeSteps = steps };
        var problem = new LddmmProblem<double>(FlowTestFields.Blobs(g, 2, widthFraction: 0.25), FlowTestFields.Blobs(g, 1, widthFraction: 0.25), new SsdDataTerm<double>(0.1), settings);
        Assert.Equal("lddmm", problem.Method);
        Assert.Equal(steps * dimension, problem.ParameterComponents);
        var x = FlowTestFields.SmoothVelocities(g, steps, 1.7, seed: 10 * seed + steps, alpha: 20);
        var direction = FlowTestFields.SmoothVelocities(g, steps, 1.0, seed: 10 * seed + 100 + steps, alpha: 20);
        var gradient = new double[problem.Dimension];
        double e = problem.Evaluate(x, gradient);
        Assert.True(problem.LastEnergy.Regularity > 0 && problem.LastEnergy.Data > 0);
        var scratch = new double[problem.Dimension];
        double InnerM(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { problem.ApplyMetric(b, scratch); return Dot(a, scratch); }
        // ε from 1e-2 to 1e-5: three decades. Larger steps move many sampling points across cell faces, where the
        // piecewise-linear interpolant has kinks (the energy is only piecewise smooth; the orders there are noisy).
        double[] epsilons = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5];
        var report = TaylorTest.Run(v => problem.Value(v), x, gradient, direction, epsilons, InnerM);
        output.WriteLine($"E = {e:0.0000e0} ({problem.LastEnergy}); {report}");
        double floor = 1e-11 * Math.Abs(e);
        Assert.True(report.Remainders[^1] > floor, $"remainder at ε = 1e-5 is at round-off: {report}");
        Assert.True(report.MinimumOrder(floor) > 1.9, report.ToString());
    }

    /// <summary>
    /// Euclidean consistency: M·(V-gradient) is the Euclidean gradient, whose regularity part is dt·h^d·L v, so at
    /// a flow whose data term is constant (moving = fixed = uniform) the V-gradient is exactly v.
    /// </summary>
    [Fact]
    public void VGradientOfRegularityIsTheVelocityItself()
    {
        var g = new ImageGeometry([16, 12], [1.0, 1.4]);
        var flat = new ScalarField<double>(g);
        flat.Span.Fill(0.3);
        var problem = new LddmmProblem<double>(flat, flat.Clone(), new SsdDataTerm<double>(0.1), new RegistrationSettings { TimeSteps = 3 });
        var x = FlowTestFields.SmoothVelocities(g, 3, 1.0, seed: 3);
        var gradient = new double[problem.Dimension];
        problem.Evaluate(x, gradient);
        double err = 0;
        for (int i = 0; i < x.Length; i++) err = Math.Max(err, Math.Abs(gradient[i] - x[i]));
        Assert.True(err < 1e-12, $"V-gradient differs from v by {err}");
        Assert.True(problem.LastEnergy.Data < 1e-20, $"data term {problem.LastEnergy.Data}");
    }
}
