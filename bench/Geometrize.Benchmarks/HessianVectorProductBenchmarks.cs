using BenchmarkDotNet.Attributes;
using Geometrize.Analysis;
using Geometrize.Autodiff;
using Geometrize.Networks.Models;

namespace Geometrize.Benchmarks;

/// <summary>
/// One exact Hessian–vector product against one loss gradient on the model class and precision that
/// <c>net geometry</c> uses: a <see cref="FlowNet{T}"/> in double (784 → 64 lift, 20 blocks of hidden width 64, 10
/// classes; 217,290 parameters) on a batch of 1000 random inputs, evaluation mode. The target is HVP ≤ 4× the
/// gradient. (<see cref="AnalysisBenchmarks"/> measures the same ratio in float32 on a hand-written network.)
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*HessianVectorProductBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class HessianVectorProductBenchmarks
{
    private FlowNet<double> _net = null!;
    private Tensor<double> _x = null!;
    private int[] _labels = [];
    private HessianOperator<double> _hessian = null!;
    private double[] _v = [], _hv = [];

    /// <summary>Samples in the loss.</summary>
    [Params(1000)]
    public int Samples { get; set; }

    /// <summary>Seeded weights, inputs and probe.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        _net = new FlowNet<double>(new ModelArchitecture { InputDimension = 784, OutputDimension = 10, Width = 64, Hidden = 64, Depth = 20, Seed = 2 });
        _x = Tensor<double>.Uniform([Samples, 784], rng);
        _labels = Enumerable.Range(0, Samples).Select(_ => rng.Next(10)).ToArray();
        _hessian = new HessianOperator<double>(Loss, _net.Parameters);
        _v = new double[_hessian.Dimension];
        _hv = new double[_hessian.Dimension];
        for (int i = 0; i < _v.Length; i++) _v[i] = rng.NextDouble() - 0.5;
    }

    private Tensor<double> Loss() => _net.Forward(_x, training: false).CrossEntropy(_labels);

    /// <summary>Forward pass and gradient with respect to every parameter.</summary>
    [Benchmark(Baseline = true)]
    public double Gradient() => Autograd.Grad(Loss(), _net.Parameters)[0].Data[0];

    /// <summary>One exact Hessian–vector product (double backward) as the spectral tools call it.</summary>
    [Benchmark]
    public double HessianVectorProduct()
    {
        _hessian.Apply(_v, _hv);
        return _hv[0];
    }
}
