using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Benchmarks;

/// <summary>
/// One scalar-momentum shot (forward) and one forward + exact adjoint pass, float32, 10 time steps, on a 2-D grid of
/// the ITK brain slice's size and a 3-D grid. Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks --
/// --filter '*ScalarShootingBenchmarks*'</c>.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class ScalarShootingBenchmarks
{
    private ScalarMomentumShooting<float> _shooting = null!;
    private float[] _p0 = [], _gradient = [];
    private ScalarField<float> _imageAdjoint = null!;

    /// <summary>Grid: "221x257" (2-D) or "96x96x64" (3-D).</summary>
    [Params("221x257", "96x96x64")]
    public string Grid { get; set; } = "221x257";

    /// <summary>Builds a smooth image and momentum on the grid.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int[] size = Grid.Split('x').Select(int.Parse).ToArray();
        var g = size.Length == 2 ? ImageGeometry.Create2D(size[0], size[1]) : ImageGeometry.Create3D(size[0], size[1], size[2]);
        var image = new ScalarField<float>(g);
        _p0 = new float[g.Count];
        for (int i = 0; i < g.Count; i++)
        {
            image.Data[i] = 0.5f + 0.4f * MathF.Sin(i * 0.013f) * MathF.Cos(i * 0.0007f);
            _p0[i] = 2f * MathF.Cos(i * 0.003f);
        }
        _shooting = new ScalarMomentumShooting<float>(image, new MetricParameters(Alpha: 4, Gamma: 1, Power: 2), 10, padToFastSizes: true);
        _gradient = new float[g.Count];
        _imageAdjoint = new ScalarField<float>(g);
        for (int i = 0; i < g.Count; i++) _imageAdjoint.Data[i] = 0.01f * MathF.Sin(i * 0.1f);
    }

    /// <summary>Forward shot only.</summary>
    [Benchmark]
    public double Shoot() => _shooting.Shoot(_p0);

    /// <summary>Forward shot and exact adjoint (one gradient evaluation minus the data term).</summary>
    [Benchmark]
    public double ShootAndAdjoint()
    {
        double e = _shooting.Shoot(_p0);
        _shooting.Adjoint(_imageAdjoint, 1, _gradient);
        return e;
    }
}
