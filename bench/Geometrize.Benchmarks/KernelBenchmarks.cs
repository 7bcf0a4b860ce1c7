using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Geometrize.Numerics;

namespace Geometrize.Benchmarks;

/// <summary>
/// The numerical kernels of Geometrize.Numerics at registration sizes, with the memory traffic each call must do
/// (bytes read + written, nominal: inputs once, outputs once) as a GB/s column, beside a plain 64 MiB copy.
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*Kernel*' --job short</c>.
/// </summary>
[Config(typeof(KernelBenchmarks.BandwidthConfig))]
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int N3 = 128 * 128 * 128;
    private static readonly Dictionary<string, long> Bytes = new()
    {
        [nameof(Copy64MiB)] = 2L * 64 * 1024 * 1024,
        [nameof(Trilinear128)] = (1L + 3 + 1) * N3 * 4,      // field + map + output
        [nameof(Splat128)] = (1L + 3 + 1) * N3 * 4,          // weights + map + grid
        [nameof(Gradient256Squared)] = (1L + 2) * 256 * 256 * 4,
        [nameof(Gradient128)] = (1L + 3) * N3 * 4,
        [nameof(GradientAdjoint128)] = (3L + 1) * N3 * 4,
        [nameof(GaussianSigma2At128)] = 2L * N3 * 4,
        [nameof(JacobianDeterminant128)] = (3L + 1) * N3 * 4,
    };

    private float[] _copySrc = [], _copyDst = [];
    private ScalarField<float> _f3 = null!, _out3 = null!, _f2 = null!;
    private VectorField<float> _map = null!, _grad3 = null!, _grad2 = null!;
    private GaussianSmoother<float> _smoother = null!;
    private SplatWorkspace _ws = null!;

    /// <summary>Allocates every buffer once; the measured calls allocate nothing proportional to the grid.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _copySrc = new float[16 * 1024 * 1024];
        _copyDst = new float[_copySrc.Length];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_copySrc.AsSpan()));
        var g3 = ImageGeometry.Create3D(128, 128, 128);
        _f3 = new ScalarField<float>(g3);
        var rng = new Random(2);
        for (int i = 0; i < N3; i++) _f3.Data[i] = (float)rng.NextDouble();
        _out3 = new ScalarField<float>(g3);
        _map = new VectorField<float>(g3);
        DisplacementFields.IdentityMap(_map);
        // A smooth map: identity plus a few voxels of sinusoidal displacement (what a registration step reads).
        for (int a = 0; a < 3; a++)
        {
            var c = _map.Component(a);
            for (int i = 0; i < N3; i++)
            {
                int x = i % 128, y = i / 128 % 128, z = i / (128 * 128);
                c[i] += (float)(3 * Math.Sin(0.05 * (x + 2 * y + 3 * z) + a));
            }
        }
        _grad3 = new VectorField<float>(g3);
        var g2 = ImageGeometry.Create2D(256, 256);
        _f2 = new ScalarField<float>(g2);
        for (int i = 0; i < _f2.Count; i++) _f2.Data[i] = (float)rng.NextDouble();
        _grad2 = new VectorField<float>(g2);
        _smoother = new GaussianSmoother<float>(g3, 2.0);
        _ws = new SplatWorkspace(N3, 128);
    }

    /// <summary>Machine copy bandwidth: 64 MiB float copy.</summary>
    [Benchmark(Baseline = true)] public void Copy64MiB() => _copySrc.AsSpan().CopyTo(_copyDst);
    /// <summary>Trilinear interpolation of a 128³ float field at a smooth map (Border).</summary>
    [Benchmark] public void Trilinear128() => Interpolation.Interpolate(_f3, _map, _out3, BoundaryMode.Border);
    /// <summary>Its adjoint: deterministic parallel splat of 128³ weights.</summary>
    [Benchmark] public void Splat128() => InterpolationAdjoint.InterpolateAdjoint(_f3, _map, _out3, BoundaryMode.Border, _ws);
    /// <summary>Gradient of a 256² float image.</summary>
    [Benchmark] public void Gradient256Squared() => FiniteDifferences.Gradient(_f2, _grad2);
    /// <summary>Gradient of a 128³ float volume.</summary>
    [Benchmark] public void Gradient128() => FiniteDifferences.Gradient(_f3, _grad3);
    /// <summary>Exact adjoint of the gradient at 128³.</summary>
    [Benchmark] public void GradientAdjoint128() => FiniteDifferences.GradientAdjoint(_grad3, _out3);
    /// <summary>Separable Gaussian, σ = 2 voxels (radius 8), 128³ float.</summary>
    [Benchmark] public void GaussianSigma2At128() => _smoother.Apply(_f3, _out3);
    /// <summary>Jacobian determinant of a 128³ index map.</summary>
    [Benchmark] public void JacobianDeterminant128() => Jacobian.MapDeterminant(_map, _out3);

    /// <summary>Adds the GB/s column.</summary>
    public sealed class BandwidthConfig : ManualConfig
    {
        /// <summary>Default columns plus bandwidth.</summary>
        public BandwidthConfig() => AddColumn(new BandwidthColumn());
    }

    /// <summary>Nominal bytes moved per call divided by the mean time.</summary>
    public sealed class BandwidthColumn : IColumn
    {
        /// <inheritdoc />
        public string Id => "GBps";
        /// <inheritdoc />
        public string ColumnName => "GB/s (r+w)";
        /// <inheritdoc />
        public bool AlwaysShow => true;
        /// <inheritdoc />
        public ColumnCategory Category => ColumnCategory.Custom;
        /// <inheritdoc />
        public int PriorityInCategory => 0;
        /// <inheritdoc />
        public bool IsNumeric => true;
        /// <inheritdoc />
        public UnitType UnitType => UnitType.Dimensionless;
        /// <inheritdoc />
        public string Legend => "Nominal bytes read + written per call / mean time (10^9 B/s)";
        /// <inheritdoc />
        public bool IsAvailable(Summary summary) => true;
        /// <inheritdoc />
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        /// <inheritdoc />
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        /// <inheritdoc />
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (stats is null || !Bytes.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out long bytes)) return "-";
            return (bytes / stats.Mean).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture); // bytes per ns = GB/s
        }
    }
}
