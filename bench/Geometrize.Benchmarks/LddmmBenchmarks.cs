using BenchmarkDotNet.Attributes;
using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Benchmarks;

/// <summary>
/// LDDMM cost per optimiser evaluation (float32, N = 10 time steps): the flow alone (N semi-Lagrangian steps)
/// and one full energy + V-gradient (flow, transport, adjoint, 2N metric applications) on the Shepp–Logan phantom
/// with a smooth velocity of about 2 voxels. Run:
/// <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*LddmmBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class LddmmBenchmarks
{
    private LddmmProblem<float> _problem = null!;
    private VelocityFlow<float> _flow = null!;
    private float[] _x = [], _gradient = [];

    /// <summary>Grid: 2-D 256² or 3-D 64³.</summary>
    [Params("2d-256", "3d-64")]
    public string Case { get; set; } = "2d-256";

    /// <summary>Builds the problem and a smooth velocity path.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var moving = Case == "2d-256" ? Phantoms.SheppLogan2D(256) : Phantoms.SheppLogan3D(64);
        var g = moving.Geometry;
        const int steps = 10;
        var settings = new RegistrationSettings { Method = RegistrationMethod.Lddmm, TimeSteps = steps };
        var rng = new Random(1);
        var metric = new FourierMetric<float>(g, new MetricParameters(16, 1, 2));
        var slice = new VectorField<float>(g);
        _x = new float[steps * slice.Data.Length];
        for (int k = 0; k < steps; k++)
        {
            for (int i = 0; i < slice.Data.Length; i++) slice.Data[i] = (float)(rng.NextDouble() * 2 - 1);
            metric.ApplyK(slice, slice);
            slice.Data.CopyTo(_x, k * slice.Data.Length);
        }
        float max = _x.Max(Math.Abs);
        for (int i = 0; i < _x.Length; i++) _x[i] *= 2f / max;
        _flow = new VelocityFlow<float>(g, steps);
        _flow.Integrate(_x);
        var target = new ScalarField<float>(g);
        _flow.Transport(moving, steps, target);
        _problem = new LddmmProblem<float>(target, moving, new SsdDataTerm<float>(settings.Sigma), settings);
        _gradient = new float[_problem.Dimension];
    }

    /// <summary>N semi-Lagrangian steps of the inverse map.</summary>
    [Benchmark]
    public void Flow() => _flow.Integrate(_x);

    /// <summary>Energy and V-gradient (what each gradient-descent trial costs).</summary>
    [Benchmark]
    public double Evaluate() => _problem.Evaluate(_x, _gradient);
}
