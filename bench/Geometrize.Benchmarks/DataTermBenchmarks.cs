using BenchmarkDotNet.Attributes;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Benchmarks;

/// <summary>
/// One evaluation (energy + gradient) of each data term in float32 on the 2-D brain-slice size and a 3-D volume of
/// the benchmark size: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*DataTermBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class DataTermBenchmarks
{
    private ScalarField<float> _warped = null!, _target = null!, _gradient = null!;
    private IDataTerm<float> _ssd = null!, _ncc = null!, _lncc = null!;

    /// <summary>Grid: 2-D 221×257 or 3-D 128×128×62.</summary>
    [Params("221x257", "128x128x62")]
    public string Grid { get; set; } = "221x257";

    /// <summary>Random images and warmed-up terms.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int[] size = Grid.Split('x').Select(int.Parse).ToArray();
        var g = new ImageGeometry(size);
        var rng = new Random(1);
        _warped = new ScalarField<float>(g);
        _target = new ScalarField<float>(g);
        _gradient = new ScalarField<float>(g);
        for (int i = 0; i < g.Count; i++) { _warped.Data[i] = (float)rng.NextDouble(); _target.Data[i] = (float)rng.NextDouble(); }
        _ssd = new SsdDataTerm<float>(0.05);
        _ncc = new NccDataTerm<float>(0.05);
        _lncc = new LnccDataTerm<float>(2, 0.05);
        _lncc.Evaluate(_warped, _target, _gradient);
    }

    /// <summary>SSD energy and gradient.</summary>
    [Benchmark(Baseline = true)]
    public double Ssd() => _ssd.Evaluate(_warped, _target, _gradient);

    /// <summary>Global NCC energy and gradient.</summary>
    [Benchmark]
    public double Ncc() => _ncc.Evaluate(_warped, _target, _gradient);

    /// <summary>Local NCC (radius 2) energy and gradient.</summary>
    [Benchmark]
    public double Lncc() => _lncc.Evaluate(_warped, _target, _gradient);
}
