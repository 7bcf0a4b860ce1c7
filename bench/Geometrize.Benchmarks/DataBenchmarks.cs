using BenchmarkDotNet.Attributes;
using Geometrize.Networks.Data;
using Geometrize.Networks.Serialization;

namespace Geometrize.Benchmarks;

/// <summary>
/// Costs around training that are not the network itself: one shuffled epoch of mini-batches over a
/// Fashion-MNIST-sized set (60 000 × 784, batch 128), standardising it, and saving/loading a FlowNet-sized
/// weight file (784 → 64, 20 blocks of two 64×64 layers: about 0.22 M float32 parameters) in safetensors.
/// Run with <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*DataBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class DataBenchmarks
{
    private Dataset _data = null!;
    private Batch _buffer = null!;
    private Normalization _norm = null!;
    private SafeTensorsFile _weights = null!;
    private byte[] _weightBytes = [];

    /// <summary>Builds the data outside the timed region.</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int n = 60_000, d = 784;
        var rng = new Random(1);
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Next(256) / 255f;
        var y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 10;
        _data = Dataset.Classification("bench", x, [1, 28, 28], y, 10);
        _buffer = new Batch(_data, 128);
        _norm = Normalization.Fit(_data);

        var arrays = new List<NamedArray> { NamedArray.FromSingles("lift.weight", [64, 784], new float[64 * 784]) };
        for (int k = 0; k < 20; k++)
        {
            arrays.Add(NamedArray.FromSingles($"blocks.{k}.w1", [64, 64], new float[64 * 64]));
            arrays.Add(NamedArray.FromSingles($"blocks.{k}.b1", [64], new float[64]));
            arrays.Add(NamedArray.FromSingles($"blocks.{k}.w2", [64, 64], new float[64 * 64]));
            arrays.Add(NamedArray.FromSingles($"blocks.{k}.b2", [64], new float[64]));
        }
        arrays.Add(NamedArray.FromSingles("head.weight", [10, 64], new float[640]));
        _weights = new SafeTensorsFile(arrays, new Dictionary<string, string> { ["model"] = "flownet" });
        _weightBytes = _weights.ToBytes();
    }

    /// <summary>One shuffled epoch: permutation plus gathering every batch into the reused buffer.</summary>
    [Benchmark]
    public float ShuffledEpoch()
    {
        float s = 0;
        foreach (var b in _data.Batches(128, new Random(3), _buffer)) s += b.Features[0];
        return s;
    }

    /// <summary>Standardising the whole set with statistics fitted beforehand.</summary>
    [Benchmark]
    public int ApplyStandardization() => _norm.Apply(_data).Count;

    /// <summary>Serialising the weight file to bytes.</summary>
    [Benchmark]
    public int WriteWeights() => _weights.ToBytes().Length;

    /// <summary>Parsing and validating the weight file and converting every array to float32.</summary>
    [Benchmark]
    public int ReadWeights()
    {
        int total = 0;
        foreach (var a in SafeTensorsFile.Parse(_weightBytes, "bench").Arrays) total += a.ToSingles().Length;
        return total;
    }
}
