using BenchmarkDotNet.Attributes;
using Geometrize.Numerics;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Benchmarks;

/// <summary>
/// One Evaluate (forward shot + exact adjoint + Riesz gradient) of <see cref="VectorShootingProblem{T}"/> in float:
/// <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*ShootingBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class ShootingBenchmarks
{
    private VectorShootingProblem<float> _problem = null!;
    private float[] _x = null!, _gradient = null!;

    /// <summary>Grid and step count: "128^3 N=10", "128^3 N=5", "256^2 N=10".</summary>
    [Params("128^3 N=10", "128^3 N=5", "256^2 N=10")]
    public string Case { get; set; } = "";

    /// <summary>Flow grid shrink: 1 runs the flow on the image grid (the 128³ pass), 16 is the default of <c>register</c>.</summary>
    [Params(1, 16)]
    public int FlowShrink { get; set; }

    /// <summary>Builds smooth images and a smooth momentum that moves a few voxels.</summary>
    [GlobalSetup]
    public void Setup()
    {
        bool is3D = Case.StartsWith("128^3", StringComparison.Ordinal);
        int steps = Case.EndsWith("N=5", StringComparison.Ordinal) ? 5 : 10;
        var g = is3D ? ImageGeometry.Create3D(128, 128, 128) : ImageGeometry.Create2D(256, 256);
        var moving = Pattern(g, 0);
        var fixedImage = Pattern(g, 2);
        var settings = new RegistrationSettings { TimeSteps = steps, FlowShrink = FlowShrink };
        _problem = new VectorShootingProblem<float>(fixedImage, moving, new SsdDataTerm<float>(settings.Sigma), settings);
        _x = new float[_problem.Dimension];
        var rng = new Random(1);
        var pg = _problem.ParameterGeometry;
        var noise = new VectorField<float>(pg);
        for (int i = 0; i < noise.Data.Length; i++) noise.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        var smooth = new VectorField<float>(pg);
        GaussianSmoothing.Smooth(noise, smooth, Math.Max(1, 4 / FlowShrink));
        for (int i = 0; i < _x.Length; i++) _x[i] = 50 * smooth.Data[i];
        _gradient = new float[_x.Length];
    }

    private static ScalarField<float> Pattern(ImageGeometry g, double shift)
    {
        var f = new ScalarField<float>(g);
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                    f[x, y, z] = (float)(0.5 + 0.25 * Math.Sin((x + shift) * 0.1) * Math.Cos(y * 0.13) + 0.25 * Math.Sin(z * 0.07));
        return f;
    }

    /// <summary>Forward shot, image term, adjoint and Riesz gradient.</summary>
    [Benchmark]
    public double Evaluate() => _problem.Evaluate(_x, _gradient);

    /// <summary>Forward shot and image term only (what a line search pays).</summary>
    [Benchmark]
    public double Value() => _problem.Value(_x);
}
