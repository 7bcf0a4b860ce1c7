using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Geometrize.Numerics;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Benchmarks;

/// <summary>
/// Matrix product C ← A·B (row-major, no transposes, β = 0) at the sizes of issue 5, float and double, with
/// GFLOP/s (2·m·n·k per product) from the median and the minimum time, to compare with numpy and PyTorch on
/// OpenBLAS (bench/peers/matmul_numpy_torch.py). Threads: the <see cref="Threads"/> parameter, or only the value
/// of GEOMETRIZE_THREADS when that environment variable is set. Run with
/// <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*Gemm*' --job short</c>.
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class GemmBenchmarks
{
    private float[] _af = [], _bf = [], _cf = [];
    private double[] _ad = [], _bd = [], _cd = [];
    private int _m, _n, _k, _savedThreads;

    /// <summary>Product shape "m×k·k×n" written as "m,k,n".</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "256,256,256";

    /// <summary>Element type: "float" or "double".</summary>
    [Params("float", "double")]
    public string Precision { get; set; } = "float";

    /// <summary>Value of <see cref="Parallelism.MaxDegreeOfParallelism"/> during the run.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    /// <summary>Squares 256, 512, 1024 and the (256×784)·(784×256) layer of a Fashion-MNIST network.</summary>
    public static IEnumerable<string> Shapes => ["256,256,256", "512,512,512", "1024,1024,1024", "256,784,256"];

    /// <summary>1 and 2 threads, or GEOMETRIZE_THREADS alone when set.</summary>
    public static IEnumerable<int> ThreadCounts =>
        int.TryParse(Environment.GetEnvironmentVariable("GEOMETRIZE_THREADS"), out int t) && t > 0 ? [t] : [1, 2];

    /// <summary>Fills the operands outside the timed region.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = Threads;
        (_m, _k, _n) = GemmBenchmarkConfig.ParseShape(Shape);
        var rng = new Random(1);
        if (Precision == "float")
        {
            _af = Enumerable.Range(0, _m * _k).Select(_ => (float)rng.NextDouble()).ToArray();
            _bf = Enumerable.Range(0, _k * _n).Select(_ => (float)rng.NextDouble()).ToArray();
            _cf = new float[_m * _n];
        }
        else
        {
            _ad = Enumerable.Range(0, _m * _k).Select(_ => rng.NextDouble()).ToArray();
            _bd = Enumerable.Range(0, _k * _n).Select(_ => rng.NextDouble()).ToArray();
            _cd = new double[_m * _n];
        }
    }

    /// <summary>Restores the thread setting.</summary>
    [GlobalCleanup]
    public void Cleanup() => Parallelism.MaxDegreeOfParallelism = _savedThreads;

    /// <summary>One product C ← A·B.</summary>
    [Benchmark]
    public void Multiply()
    {
        if (Precision == "float") Gemm.Multiply<float>(_af, _bf, _cf, _m, _n, _k);
        else Gemm.Multiply<double>(_ad, _bd, _cd, _m, _n, _k);
    }
}

/// <summary>Adds the GFLOP/s columns to <see cref="GemmBenchmarks"/>.</summary>
public sealed class GemmBenchmarkConfig : ManualConfig
{
    /// <summary>Registers the median and best-case throughput columns.</summary>
    public GemmBenchmarkConfig()
    {
        AddColumn(new GflopsColumn(useMinimum: false), new GflopsColumn(useMinimum: true));
    }

    /// <summary>Parses "m,k,n" into its three dimensions.</summary>
    public static (int M, int K, int N) ParseShape(string shape)
    {
        var d = shape.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (d[0], d[1], d[2]);
    }

    // 2·m·n·k floating-point operations divided by the measured time; the minimum is the robust figure on a shared machine.
    private sealed class GflopsColumn(bool useMinimum) : IColumn
    {
        public string Id => useMinimum ? "GflopsBest" : "GflopsMedian";
        public string ColumnName => useMinimum ? "GFLOP/s (min)" : "GFLOP/s (median)";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => useMinimum ? 1 : 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"Giga floating-point operations per second, 2·m·n·k / {(useMinimum ? "minimum" : "median")} time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            var shape = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(GemmBenchmarks.Shape))?.Value as string;
            if (stats is null || shape is null) return "-";
            var (m, k, n) = ParseShape(shape);
            double ns = useMinimum ? stats.Min : stats.Median;
            return (2.0 * m * n * k / ns).ToString("F1", CultureInfo.InvariantCulture);
        }
    }
}
