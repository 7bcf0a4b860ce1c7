using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Xunit.Abstractions;

namespace Geometrize.Tests.Networks;

/// <summary>Training runs: the two-spirals target, every optimiser and gradient method, regression, determinism and bad input.</summary>
public class TrainerTests(ITestOutputHelper output)
{
    private static ModelArchitecture For(Dataset data, ModelKind kind, int width = 8, int hidden = 16, int depth = 4) => new()
    {
        Kind = kind, InputDimension = data.FeatureDimension,
        OutputDimension = data.Task == LearningTask.Classification ? data.ClassCount : data.TargetDimension,
        Width = width, Hidden = hidden, Depth = depth, Seed = 3,
    };

    [Fact]
    public void FlowNetLearnsTheTwoSpiralsToAtLeast99PercentTrainAccuracy()
    {
        var data = SyntheticDatasets.TwoSpirals(300, 0.0, seed: 1);
        data = Normalization.Fit(data).Apply(data);
        var model = For(data, ModelKind.FlowNet, width: 8, hidden: 24, depth: 4).Create<float>();
        var settings = new TrainingSettings { Epochs = 40, BatchSize = 50, LearningRate = 0.03, Seed = 1 };
        var result = new Trainer<float>(model, settings).Train(data);
        output.WriteLine($"two spirals: loss {result.Final.Loss:F4}, train accuracy {result.Final.TrainAccuracy:P1} after {settings.Epochs} epochs, {result.Seconds:F1} s");
        Assert.True(result.Final.TrainAccuracy >= 0.99, $"train accuracy {result.Final.TrainAccuracy:P2}");
        Assert.True(result.History[^1].Loss < result.History[0].Loss / 10);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, GradientMethod.Discrete, ModelKind.FlowNet)]
    [InlineData(OptimizerKind.Adam, GradientMethod.Continuous, ModelKind.FlowNet)]
    [InlineData(OptimizerKind.Lbfgs, GradientMethod.Discrete, ModelKind.Mlp)]
    [InlineData(OptimizerKind.Adam, GradientMethod.Discrete, ModelKind.PlainNet)]
    [InlineData(OptimizerKind.Adam, GradientMethod.Discrete, ModelKind.LogisticRegression)]
    public void EveryOptimiserAndGradientMethodLowersTheLoss(OptimizerKind optimizer, GradientMethod gradient, ModelKind kind)
    {
        var data = SyntheticDatasets.Moons(120, 0.1, seed: 2);
        var model = For(data, kind).Create<float>();
        var settings = new TrainingSettings { Epochs = 8, BatchSize = 30, Optimizer = optimizer, Gradient = gradient, LearningRate = optimizer == OptimizerKind.Lbfgs ? 1 : 0.05, LbfgsIterations = 5, WeightDecay = 1e-4 };
        var result = new Trainer<float>(model, settings).Train(data, data);
        output.WriteLine($"{optimizer}/{gradient}/{kind}: loss {result.History[0].Loss:F4} → {result.Final.Loss:F4}, accuracy {result.Final.TrainAccuracy:P1}");
        Assert.True(result.Final.Loss < result.History[0].Loss, "the loss did not decrease");
        Assert.True(result.Final.TrainAccuracy > 0.8, $"accuracy {result.Final.TrainAccuracy:P1}");
        Assert.Equal(result.Final.TrainAccuracy, result.Final.TestAccuracy);
    }

    [Fact]
    public void RegressionUsesSquaredErrorAndReportsNoAccuracy()
    {
        var data = SyntheticDatasets.Rings(200, 2, 0.0, seed: 4);
        var model = For(data, ModelKind.FlowNet).Create<float>();
        var result = new Trainer<float>(model, new TrainingSettings { Epochs = 15, BatchSize = 20, LearningRate = 0.02 }).Train(data);
        Assert.True(double.IsNaN(result.Final.TrainAccuracy));
        Assert.True(result.Final.Loss < 0.7 * result.History[0].Loss, $"MSE {result.History[0].Loss:F4} → {result.Final.Loss:F4}");
    }

    [Fact]
    public void TrainingIsDeterministicForAFixedSeed()
    {
        var data = SyntheticDatasets.Moons(80, 0.1, seed: 5);
        double[] Run() => new Trainer<float>(For(data, ModelKind.FlowNet).Create<float>(), new TrainingSettings { Epochs = 3, BatchSize = 16, Seed = 9 })
            .Train(data).History.Select(h => h.Loss).ToArray();
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        var data = SyntheticDatasets.Moons(80, 0.1, seed: 5);
        using var cts = new CancellationTokenSource();
        var progress = new Progress(cts);
        Assert.Throws<OperationCanceledException>(() =>
            new Trainer<float>(For(data, ModelKind.Mlp).Create<float>(), new TrainingSettings { Epochs = 50, BatchSize = 8 }).Train(data, null, progress, cts.Token));
        Assert.Equal(3, progress.Reports);
    }

    private sealed class Progress(CancellationTokenSource cts) : IProgress<TrainingProgress>
    {
        public int Reports;
        public void Report(TrainingProgress value)
        {
            if (++Reports == 3) cts.Cancel();
        }
    }

    [Fact]
    public void BadSettingsAndMismatchedDataAreClearErrors()
    {
        var data = SyntheticDatasets.Moons(40, 0.1, seed: 5);
        var model = For(data, ModelKind.Mlp).Create<float>();
        Assert.Contains("--lr", Assert.Throws<InvalidParameterException>(() => new Trainer<float>(model, new TrainingSettings { LearningRate = double.NaN })).Message);
        Assert.Contains("--epochs", Assert.Throws<InvalidParameterException>(() => new Trainer<float>(model, new TrainingSettings { Epochs = 0 })).Message);
        Assert.Contains("flow network", Assert.Throws<InvalidParameterException>(() => new Trainer<float>(model, new TrainingSettings { Gradient = GradientMethod.Continuous })).Message);
        Assert.Contains("L-BFGS", Assert.Throws<InvalidParameterException>(() => new TrainingSettings { Optimizer = OptimizerKind.Lbfgs, Gradient = GradientMethod.Continuous }.Validate()).Message);
        var blobs = SyntheticDatasets.GaussianBlobs(30, 3, 2, 0.1, 1);
        Assert.Contains("outputs", Assert.Throws<InvalidParameterException>(() => new Trainer<float>(model, new TrainingSettings()).Train(blobs)).Message);
        var diverging = new Trainer<float>(For(data, ModelKind.Mlp).Create<float>(), new TrainingSettings { Optimizer = OptimizerKind.Sgd, LearningRate = 1e300, Epochs = 3 });
        Assert.Contains("lower the learning rate", Assert.Throws<InvalidParameterException>(() => diverging.Train(data)).Message);
    }
}
