using BenchmarkDotNet.Attributes;
using Geometrize.Numerics;
using Geometrize.Numerics.Fourier;

namespace Geometrize.Benchmarks;

/// <summary>
/// Float32 real FFT round trips (Forward + Inverse) on the grid sizes of the acceptance criterion, to compare with
/// scipy.fft rfftn/irfftn (bench/peers/fft_scipy.py, one worker). Threads: the <see cref="Threads"/> parameter,
/// or only the value of GEOMETRIZE_THREADS when that environment variable is set. Run with
/// <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*Fft*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FftBenchmarks
{
    private RealFft<float> _plan = null!;
    private float[] _input = [], _spectrum = [], _output = [];
    private int _savedThreads;

    /// <summary>Grid shape, x first.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "256x256";

    /// <summary>Value of <see cref="Parallelism.MaxDegreeOfParallelism"/> during the run.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    /// <summary>Shapes of the acceptance criterion.</summary>
    public static IEnumerable<string> Shapes => ["256x256", "512x512", "96x96x96", "128x128x128", "181x217x181"];

    /// <summary>1 and 2 threads, or GEOMETRIZE_THREADS alone when set.</summary>
    public static IEnumerable<int> ThreadCounts =>
        int.TryParse(Environment.GetEnvironmentVariable("GEOMETRIZE_THREADS"), out int t) && t > 0 ? [t] : [1, 2];

    /// <summary>Builds the plan and data outside the timed region.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = Threads;
        int[] shape = Shape.Split('x').Select(int.Parse).ToArray();
        _plan = new RealFft<float>(shape);
        _input = new float[_plan.Length];
        var rng = new Random(1);
        for (int i = 0; i < _input.Length; i++) _input[i] = (float)rng.NextDouble();
        _spectrum = new float[2 * _plan.SpectrumLength];
        _output = new float[_plan.Length];
    }

    /// <summary>Restores the thread setting.</summary>
    [GlobalCleanup]
    public void Cleanup() => Parallelism.MaxDegreeOfParallelism = _savedThreads;

    /// <summary>rfftn followed by irfftn.</summary>
    [Benchmark]
    public void RoundTrip()
    {
        _plan.Forward(_input, _spectrum);
        _plan.Inverse(_spectrum, _output);
    }
}
