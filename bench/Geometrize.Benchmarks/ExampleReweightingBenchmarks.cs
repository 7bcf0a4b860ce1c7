using BenchmarkDotNet.Attributes;
using Geometrize.Autodiff;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;

namespace Geometrize.Benchmarks;

/// <summary>
/// One mini-batch step of learned example weights on the setting of <c>net reweight</c>'s Fashion-MNIST experiment
/// (float32 MLP 784-64-10, tanh, training batch 100, clean validation batch 100): the plain step for reference, the
/// exact meta-gradient (double backward through the look-ahead) and its first-order form (one reverse pass per example).
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*ExampleReweighting*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class ExampleReweightingBenchmarks
{
    private const int Batch = 100, Input = 784, Classes = 10;
    private IModel<float> _model = null!;
    private Tensor<float> _x = null!, _xv = null!;
    private int[] _y = [], _yv = [];
    private LearnedExampleWeights<float> _exact = null!, _firstOrder = null!;

    /// <summary>Random inputs and labels (seeded), a fresh model.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _model = new ModelArchitecture { Kind = ModelKind.Mlp, InputDimension = Input, OutputDimension = Classes, Width = 64, Depth = 1, Seed = 1 }.Create<float>();
        _x = Tensor<float>.Randn([Batch, Input], rng);
        _xv = Tensor<float>.Randn([Batch, Input], rng);
        _y = Enumerable.Range(0, Batch).Select(_ => rng.Next(Classes)).ToArray();
        _yv = Enumerable.Range(0, Batch).Select(_ => rng.Next(Classes)).ToArray();
        _exact = new LearnedExampleWeights<float>(_model, 1e-3);
        _firstOrder = new LearnedExampleWeights<float>(_model, 1e-3, MetaGradientMethod.FirstOrder);
    }

    /// <summary>Forward and backward of the mean loss (no update, so every call sees the same parameters).</summary>
    [Benchmark(Baseline = true)]
    public float PlainGradient()
    {
        foreach (var p in _model.Parameters) p.Grad = null;
        var loss = _model.Forward(_x, training: true).CrossEntropy(_y);
        loss.Backward();
        return loss.Item();
    }

    /// <summary>Exact meta-gradient, weights, and the backward pass of the weighted loss.</summary>
    [Benchmark]
    public float ExactReweightedGradient() => WeightedBackward(_exact.Compute(_x, _y, _xv, _yv, training: true));

    /// <summary>First-order meta-gradient (per-example gradients), weights, and the weighted backward pass.</summary>
    [Benchmark]
    public float FirstOrderReweightedGradient() => WeightedBackward(_firstOrder.Compute(_x, _y, _xv, _yv, training: true));

    private float WeightedBackward(MetaStep<float> step)
    {
        foreach (var p in _model.Parameters) p.Grad = null;
        var w = Tensor<float>.FromArray([Batch], step.Weights.Select(v => (float)v).ToArray());
        var loss = (step.Losses * w).Sum();
        loss.Backward();
        return loss.Item();
    }
}
