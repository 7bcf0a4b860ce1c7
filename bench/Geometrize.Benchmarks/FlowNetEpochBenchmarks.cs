using BenchmarkDotNet.Attributes;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;

namespace Geometrize.Benchmarks;

/// <summary>
/// The Fashion-MNIST FlowNet (784 → 64 lift, 20 blocks of hidden width 64, tanh, 10-class head, float32, Adam,
/// batch 128) trained through <see cref="Trainer{T}"/> for one epoch of 50 mini-batches (6 400 random 784-feature
/// samples, so no data files are needed), by back-propagation and by the continuous adjoint. A full Fashion-MNIST
/// epoch is 469 mini-batches (×9.4); the end-to-end timing beside PyTorch is
/// <c>geometrize net train --data fashion-mnist --depth 20 --width 64 --hidden 64 --batch 128 --lr 0.001 --epochs 2 --threads 2</c>
/// against <c>bench/peers/flownet_torch.py</c>.
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*FlowNetEpoch*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class FlowNetEpochBenchmarks
{
    private const int Samples = 50 * 128, Features = 784, Classes = 10;
    private Dataset _data = null!;
    private IModel<float> _model = null!;

    /// <summary>Gradient method.</summary>
    [Params(GradientMethod.Discrete, GradientMethod.Continuous)]
    public GradientMethod Gradient { get; set; }

    /// <summary>Random standardised-looking inputs and labels (seeded).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        var x = new float[Samples * Features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = Enumerable.Range(0, Samples).Select(_ => rng.Next(Classes)).ToArray();
        _data = Dataset.Classification("random-784", x, [Features], y, Classes);
        _model = new ModelArchitecture { Kind = ModelKind.FlowNet, InputDimension = Features, OutputDimension = Classes, Width = 64, Hidden = 64, Depth = 20 }.Create<float>();
    }

    /// <summary>One epoch (50 steps of forward, backward and Adam) plus the trainer's accuracy pass over the 6 400 samples.</summary>
    [Benchmark]
    public double Epoch() =>
        new Trainer<float>(_model, new TrainingSettings { Epochs = 1, BatchSize = 128, LearningRate = 1e-3, Gradient = Gradient }).Train(_data).Final.Loss;
}
