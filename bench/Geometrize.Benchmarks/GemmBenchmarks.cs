using System.Globalization;
using System.Runtime.InteropServices;
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
/// OpenBLAS (bench/peers/matmul_numpy_torch.py). <see cref="OpenBlas"/> times OpenBLAS's own cblas_?gemm on the
/// same operands in the same run (Debian's libopenblas0-pthread; that case fails with a message where it is
/// missing), which on a shared, loaded machine is the fairest comparison. Threads: the <see cref="Threads"/> parameter, or only the value
/// of GEOMETRIZE_THREADS when that environment variable is set. Run with
/// <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*Gemm*' --job short</c>.
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public unsafe class GemmBenchmarks
{
    // cblas_?gemm(order, transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc) and openblas_set_num_threads.
    private static readonly nint OpenBlasLibrary = NativeLibrary.TryLoad("libopenblas.so.0", out var handle) ? handle : 0;
    private const int CblasRowMajor = 101, CblasNoTrans = 111;

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
            // Pinned so that the OpenBLAS case can pass raw pointers.
            _af = GC.AllocateArray<float>(_m * _k, pinned: true);
            _bf = GC.AllocateArray<float>(_k * _n, pinned: true);
            _cf = GC.AllocateArray<float>(_m * _n, pinned: true);
            for (int i = 0; i < _af.Length; i++) _af[i] = (float)rng.NextDouble();
            for (int i = 0; i < _bf.Length; i++) _bf[i] = (float)rng.NextDouble();
        }
        else
        {
            _ad = GC.AllocateArray<double>(_m * _k, pinned: true);
            _bd = GC.AllocateArray<double>(_k * _n, pinned: true);
            _cd = GC.AllocateArray<double>(_m * _n, pinned: true);
            for (int i = 0; i < _ad.Length; i++) _ad[i] = rng.NextDouble();
            for (int i = 0; i < _bd.Length; i++) _bd[i] = rng.NextDouble();
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

    /// <summary>The same product by OpenBLAS (peer), with its thread count set to <see cref="Threads"/>.</summary>
    [Benchmark]
    public void OpenBlas()
    {
        if (OpenBlasLibrary == 0)
            throw new InvalidOperationException("libopenblas.so.0 not found: apt-get install -y libopenblas0-pthread, or ignore this peer case.");
        ((delegate* unmanaged<int, void>)NativeLibrary.GetExport(OpenBlasLibrary, "openblas_set_num_threads"))(Threads);
        if (Precision == "float")
        {
            var sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
                NativeLibrary.GetExport(OpenBlasLibrary, "cblas_sgemm");
            fixed (float* a = _af) fixed (float* b = _bf) fixed (float* c = _cf)
                sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, _m, _n, _k, 1f, a, _k, b, _n, 0f, c, _n);
        }
        else
        {
            var dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)
                NativeLibrary.GetExport(OpenBlasLibrary, "cblas_dgemm");
            fixed (double* a = _ad) fixed (double* b = _bd) fixed (double* c = _cd)
                dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, _m, _n, _k, 1.0, a, _k, b, _n, 0.0, c, _n);
        }
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
