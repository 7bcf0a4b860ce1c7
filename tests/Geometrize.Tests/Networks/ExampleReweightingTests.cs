using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Xunit.Abstractions;

namespace Geometrize.Tests.Networks;

/// <summary>
/// Learned example weights (Ren et al. 2018): evaluation at replaced parameters, the exact meta-gradient against its
/// Taylor expansion and against the first-order form, the weights, label corruption, and training on noisy labels.
/// </summary>
public class ExampleReweightingTests(ITestOutputHelper output)
{
    private static ModelArchitecture Arch(ModelKind kind, int inputs, int outputs, bool batchNorm = false, bool tied = false) => new()
    {
        Kind = kind, InputDimension = inputs, OutputDimension = outputs, Width = 6, Hidden = 5, Depth = 2,
        Activation = Activation.Tanh, BatchNorm = batchNorm, Tied = tied, Seed = 5,
    };

    // A small 3-class problem in 4 dimensions, as double tensors: a training batch and a validation batch.
    private static (Tensor<double> X, int[] Y, Tensor<double> Xv, int[] Yv) Problem(int batch = 12, int validation = 9)
    {
        var data = SyntheticDatasets.GaussianBlobs(batch + validation, 3, 4, 0.8, seed: 11);
        var perm = Enumerable.Range(0, data.Count).OrderBy(i => (i * 7919) % 23).ToArray();
        data = data.Subset(perm);
        var x = Trainer<double>.Inputs(data.Features[..(batch * 4)], batch, 4);
        var xv = Trainer<double>.Inputs(data.Features[(batch * 4)..], validation, 4);
        var labels = data.Labels.ToArray();
        labels[0] = (labels[0] + 1) % 3; // one wrong label, so the weights are not all alike
        return (x, labels[..batch], xv, labels[batch..]);
    }

    [Theory]
    [InlineData(ModelKind.Mlp, false, false)]
    [InlineData(ModelKind.Mlp, true, false)]
    [InlineData(ModelKind.FlowNet, true, false)]
    [InlineData(ModelKind.FlowNet, false, true)]
    [InlineData(ModelKind.PlainNet, false, false)]
    [InlineData(ModelKind.LogisticRegression, false, false)]
    public void ForwardWithReplacedParametersEqualsAModelHoldingThoseParameters(ModelKind kind, bool batchNorm, bool tied)
    {
        var (x, _, _, _) = Problem();
        var model = Arch(kind, 4, 3, batchNorm, tied).Create<double>();
        var twin = Arch(kind, 4, 3, batchNorm, tied).Create<double>();
        var before = model.Forward(x, training: false).ToArray();
        // Own parameters (copies): bit-for-bit the ordinary forward pass.
        var copies = model.Parameters.Select(p => p.Clone()).ToArray();
        Assert.Equal(before, model.ForwardWith(x, false, copies).ToArray());
        // Perturbed parameters: what a model holding them computes; the model's own tensors stay as they were.
        var rng = new Random(2);
        var moved = model.Parameters.Select(p => p.Clone()).ToArray();
        foreach (var m in moved) for (int i = 0; i < m.Length; i++) m.Data[i] += 0.3 * (rng.NextDouble() - 0.5);
        for (int k = 0; k < moved.Length; k++) moved[k].Data.CopyTo(twin.Parameters[k].Data, 0);
        var replaced = model.ForwardWith(x, false, moved).ToArray();
        Assert.Equal(twin.Forward(x, training: false).ToArray(), replaced);
        Assert.NotEqual(before, replaced);
        Assert.Equal(before, model.Forward(x, training: false).ToArray()); // scope ended: the ordinary pass again
    }

    [Fact]
    public void MlpForwardMatchesANaiveComputationOutsideAnyScope()
    {
        var (x, _, _, _) = Problem();
        var mlp = (Mlp<double>)Arch(ModelKind.Mlp, 4, 3).Create<double>();
        var y = mlp.Forward(x, training: false);
        for (int r = 0; r < x.Size(0); r++)
        {
            var h = Enumerable.Range(0, 4).Select(j => x.Data[r * 4 + j]).ToArray();
            foreach (var layer in mlp.Layers.Append(mlp.Head))
            {
                var next = new double[layer.Outputs];
                for (int o = 0; o < next.Length; o++)
                {
                    double s = layer.Bias.Data[o];
                    for (int i = 0; i < h.Length; i++) s += layer.Weight.Data[o * layer.Inputs + i] * h[i];
                    next[o] = ReferenceEquals(layer, mlp.Head) ? s : Math.Tanh(s);
                }
                h = next;
            }
            for (int o = 0; o < 3; o++) Assert.Equal(h[o], y.Data[r * 3 + o], 12);
        }
    }

    [Fact]
    public void ParameterOverrideRejectsMismatchedShapesAndEndsInOrder()
    {
        var a = Tensor<double>.Zeros(2, 3);
        Assert.Throws<InvalidParameterException>(() => ParameterOverride<double>.Begin([a], [Tensor<double>.Zeros(3, 2)]));
        Assert.Throws<InvalidParameterException>(() => ParameterOverride<double>.Begin([a], []));
        var b = Tensor<double>.Ones(2, 3);
        var outer = ParameterOverride<double>.Begin([a], [b]);
        var inner = ParameterOverride<double>.Begin([b], [a]);
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        Assert.Same(b, ParameterOverride<double>.Resolve(a)); // the inner scope does not replace a: the outer one does
        Assert.Equal(1, inner.UnresolvedCount);
        inner.Dispose();
        outer.Dispose();
        Assert.Same(a, ParameterOverride<double>.Resolve(a));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExactMetaGradientEqualsFirstOrderFormAtZeroWeights(bool batchNorm)
    {
        var (x, y, xv, yv) = Problem();
        var model = Arch(ModelKind.Mlp, 4, 3, batchNorm).Create<double>();
        var exact = new LearnedExampleWeights<double>(model, 0.3).Compute(x, y, xv, yv, training: true);
        var first = new LearnedExampleWeights<double>(model, 0.3, MetaGradientMethod.FirstOrder).Compute(x, y, xv, yv, training: true);
        double scale = exact.MetaGradient.Max(Math.Abs);
        Assert.True(scale > 1e-6, "degenerate meta-gradient");
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(exact.MetaGradient[i] - first.MetaGradient[i]) <= 1e-12 * scale, $"example {i}: {exact.MetaGradient[i]} vs {first.MetaGradient[i]}");
        Assert.Equal(exact.ValidationLoss, first.ValidationLoss, 12); // θ′(0) = θ
        Assert.Equal(1.0, exact.Weights.Sum(), 12);
        Assert.True(exact.Weights[0] < exact.Weights.Where((_, i) => i > 0).Max(), "the mislabelled example has the largest weight");
    }

    [Fact]
    public void ExactAndFirstOrderMetaGradientsDifferByOrderAlphaAwayFromZero()
    {
        var (x, y, xv, yv) = Problem();
        var model = Arch(ModelKind.Mlp, 4, 3).Create<double>();
        var eps = Enumerable.Repeat(1.0, y.Length).ToArray(); // the summed loss: a real step away from θ
        var rel = new List<double>();
        foreach (double alpha in new[] { 0.05, 0.0125, 0.003125, 0.00078125, 0.0001953125 })
        {
            var exact = new LearnedExampleWeights<double>(model, alpha).Compute(x, y, xv, yv, true, eps).MetaGradient;
            var first = new LearnedExampleWeights<double>(model, alpha, MetaGradientMethod.FirstOrder).Compute(x, y, xv, yv, true).MetaGradient;
            double diff = Math.Sqrt(exact.Zip(first, (a, b) => (a - b) * (a - b)).Sum()), norm = Math.Sqrt(first.Sum(v => v * v));
            rel.Add(diff / norm);
            output.WriteLine($"alpha {alpha,-11} relative difference {diff / norm:E3}   (/alpha {diff / norm / alpha:F4})");
        }
        Assert.True(rel[0] > 1e-3, "the look-ahead step is too small to show the difference");
        for (int k = 1; k < rel.Count; k++)
            Assert.InRange(rel[k - 1] / rel[k], 3.5, 4.5); // α divided by 4 each time: first order in α
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ExactMetaGradientPassesTheTaylorTest(bool batchNorm, bool awayFromZero)
    {
        var (x, y, xv, yv) = Problem();
        var model = Arch(ModelKind.Mlp, 4, 3, batchNorm).Create<double>();
        var lew = new LearnedExampleWeights<double>(model, 0.5);
        var rng = new Random(3);
        var eps = awayFromZero ? y.Select(_ => 0.5 + rng.NextDouble()).ToArray() : new double[y.Length];
        var delta = y.Select(_ => rng.NextDouble() - 0.5).ToArray();
        var step = lew.Compute(x, y, xv, yv, true, eps);
        double f0 = lew.LookAheadValidationLoss(x, y, xv, yv, true, eps);
        Assert.Equal(f0, step.ValidationLoss, 12);
        double slope = step.MetaGradient.Zip(delta, (g, d) => g * d).Sum();
        var residuals = new List<double>();
        for (double h = 0.1; h > 1e-4; h /= 10)
        {
            var moved = eps.Zip(delta, (e, d) => e + h * d).ToArray();
            double r = Math.Abs(lew.LookAheadValidationLoss(x, y, xv, yv, true, moved) - f0 - h * slope);
            residuals.Add(r);
            output.WriteLine($"h {h:E0}: |f(ε+hδ) − f(ε) − h⟨u,δ⟩| = {r:E3}");
        }
        for (int k = 1; k < residuals.Count; k++)
            Assert.InRange(residuals[k - 1] / residuals[k], 70, 130); // O(h²): a factor 100 per decade
    }

    [Fact]
    public void WeightsClipNegativeAlignmentAndNormalise()
    {
        Assert.Equal([0, 0.25, 0.75, 0], LearnedExampleWeights<double>.Weights([0.5, -1, -3, 0]));
        Assert.Equal([0.0, 0.0], LearnedExampleWeights<double>.Weights([0.1, 0])); // no helpful example: no step
    }

    [Fact]
    public void UniformNoiseFlipsTheRequestedFractionAfterRemovingABalancedCleanValidationSet()
    {
        var pool = SyntheticDatasets.GaussianBlobs(500, 4, 3, 0.5, seed: 1);
        var split = LabelNoise.Parse("uniform:0.3").Apply(pool, 40, seed: 7);
        Assert.Equal(460, split.Train.Count);
        Assert.Equal([10, 10, 10, 10], split.Validation.ClassCounts());
        Assert.Equal((int)Math.Round(0.3 * 460), split.CorruptedCount);
        var inTrain = new HashSet<int>(split.SourceIndices);
        Assert.Equal(460, inTrain.Count);
        for (int i = 0; i < split.Train.Count; i++)
        {
            int source = split.SourceIndices[i];
            Assert.Equal(pool.Label(source), split.TrueLabels[i]);
            Assert.Equal(split.Corrupted[i], split.Train.Label(i) != split.TrueLabels[i]);
            Assert.True(pool.FeatureRow(source).SequenceEqual(split.Train.FeatureRow(i)));
        }
        // The validation samples are the pool's own (clean) samples, none of them in the training set.
        for (int v = 0; v < split.Validation.Count; v++)
        {
            int match = Enumerable.Range(0, pool.Count).Single(i => pool.FeatureRow(i).SequenceEqual(split.Validation.FeatureRow(v)));
            Assert.DoesNotContain(match, inTrain);
            Assert.Equal(pool.Label(match), split.Validation.Label(v));
        }
        var again = LabelNoise.Parse("uniform:0.3").Apply(pool, 40, seed: 7);
        Assert.Equal(split.Corrupted, again.Corrupted);
        Assert.Equal(split.Train.Labels.ToArray(), again.Train.Labels.ToArray());
        Assert.NotEqual(split.Corrupted, LabelNoise.Parse("uniform:0.3").Apply(pool, 40, seed: 8).Corrupted);
    }

    [Fact]
    public void ImbalanceKeepsTheMajorityShareOfABinaryTask()
    {
        var pool = SyntheticDatasets.GaussianBlobs(2000, 10, 3, 0.5, seed: 1);
        var split = LabelNoise.Parse("imbalance:0.9").Apply(pool, 20, seed: 3);
        Assert.Equal([9, 4], split.Classes);
        Assert.Equal(2, split.Train.ClassCount);
        Assert.Equal([10, 10], split.Validation.ClassCounts());
        var counts = split.Train.ClassCounts();
        Assert.Equal(190, counts[0]); // 200 of class 9, 10 of them in the validation set
        Assert.Equal((int)Math.Round(190 * 0.1 / 0.9), counts[1]);
        Assert.Equal(0, split.CorruptedCount);
        for (int i = 0; i < split.Train.Count; i++) Assert.Equal(split.Train.Label(i) == 0 ? 9 : 4, pool.Label(split.SourceIndices[i]));
        var test = split.PrepareTest(SyntheticDatasets.GaussianBlobs(300, 10, 3, 0.5, seed: 2));
        Assert.Equal([30, 30], test.ClassCounts());
        Assert.Throws<InvalidParameterException>(() => LabelNoise.Parse("imbalance:0.995").Apply(SyntheticDatasets.GaussianBlobs(400, 10, 3, 0.5, 1), 4, 1));
    }

    [Theory]
    [InlineData("uniform:1")]
    [InlineData("uniform:-0.1")]
    [InlineData("uniform")]
    [InlineData("uniform:abc")]
    [InlineData("imbalance:0.3")]
    [InlineData("gaussian:0.2")]
    public void BadNoiseSpecificationsNameTheOption(string spec)
    {
        var e = Assert.Throws<InvalidParameterException>(() => LabelNoise.Parse(spec));
        Assert.Contains("--noise", e.Message);
    }

    [Fact]
    public void CleanValidationLargerThanThePoolOrAClassIsRejected()
    {
        var pool = SyntheticDatasets.GaussianBlobs(40, 4, 3, 0.5, seed: 1);
        var noise = LabelNoise.Parse("uniform:0.2");
        Assert.Contains("--clean-validation", Assert.Throws<InvalidParameterException>(() => noise.Apply(pool, 40, 1)).Message);
        Assert.Contains("--clean-validation", Assert.Throws<InvalidParameterException>(() => noise.Apply(pool, 0, 1)).Message);
        Assert.Contains("class", Assert.Throws<InvalidParameterException>(() => noise.Apply(pool.ClassesFilter(0, 1, 2, 3).Subset([0, 1, 2, 3, 10, 11, 20, 30]), 7, 1)).Message);
    }

    [Fact]
    public void PlainRunOfTheReweightedTrainerReproducesTrainerExactly()
    {
        var data = SyntheticDatasets.Moons(150, 0.1, seed: 2);
        var settings = new TrainingSettings { Epochs = 3, BatchSize = 32, LearningRate = 0.02, Seed = 4 };
        var a = Arch(ModelKind.Mlp, 2, 2) with { Width = 8 };
        var viaTrainer = new Trainer<float>(a.Create<float>(), settings).Train(data, data);
        var viaReweighted = new ReweightedTrainer<float>(a.Create<float>(), settings).Train(data, null, data);
        Assert.Null(viaReweighted.MeanWeights);
        Assert.Equal(viaTrainer.History.Select(h => (h.Loss, h.TrainAccuracy, h.TestAccuracy)), viaReweighted.Training.History.Select(h => (h.Loss, h.TrainAccuracy, h.TestAccuracy)));
    }

    [Fact]
    public void CorruptedExamplesGetLowerLearnedWeightsThanCleanOnes()
    {
        var (pool, test) = SyntheticDatasets.GaussianBlobs(1100, 4, 8, 0.9, seed: 5).Split(700 / 1100.0, seed: 6); // one set of blob centres
        var split = LabelNoise.Parse("uniform:0.4").Apply(pool, 40, seed: 1);
        var norm = Normalization.Fit(split.Train);
        var (train, validation, testN) = (norm.Apply(split.Train), norm.Apply(split.Validation), norm.Apply(test));
        var arch = Arch(ModelKind.Mlp, 8, 4) with { Width = 16, Depth = 1 };
        var settings = new TrainingSettings { Epochs = 6, BatchSize = 50, LearningRate = 0.01, Seed = 2 };
        var plain = new ReweightedTrainer<float>(arch.Create<float>(), settings).Train(train, null, testN);
        var trainer = new ReweightedTrainer<float>(arch.Create<float>(), settings, new ReweightingSettings());
        var run = trainer.Train(train, validation, testN);
        var w = run.MeanWeights!;
        double clean = Enumerable.Range(0, w.Length).Where(i => !split.Corrupted[i]).Average(i => w[i]);
        double corrupted = Enumerable.Range(0, w.Length).Where(i => split.Corrupted[i]).Average(i => w[i]);
        output.WriteLine($"mean weight clean {clean:E3}, corrupted {corrupted:E3} (uniform {1.0 / 50:E3}); test accuracy plain {plain.Training.Final.TestAccuracy:P1}, reweighted {run.Training.Final.TestAccuracy:P1}; skipped {run.SkippedSteps}/{run.Steps}");
        Assert.True(corrupted < 0.5 * clean, $"corrupted {corrupted} vs clean {clean}");
        Assert.Equal(1.0, w.Sum() / train.BatchCount(50), 3); // each batch's weights sum to 1 (no skipped steps in the last epoch)

        var again = new ReweightedTrainer<float>(arch.Create<float>(), settings, new ReweightingSettings()).Train(train, validation, testN);
        Assert.Equal(w, again.MeanWeights);
        Assert.Equal(run.Training.History.Select(h => h.TestAccuracy), again.Training.History.Select(h => h.TestAccuracy));
    }

    [Fact]
    public void ReweightingRejectsLbfgsContinuousAdjointAndAMissingValidationSet()
    {
        var model = Arch(ModelKind.Mlp, 2, 2).Create<float>();
        Assert.Throws<InvalidParameterException>(() => new ReweightedTrainer<float>(model, new TrainingSettings { Optimizer = OptimizerKind.Lbfgs }, new ReweightingSettings()));
        Assert.Throws<InvalidParameterException>(() => new ReweightedTrainer<float>(model, new TrainingSettings { Gradient = GradientMethod.Continuous }, new ReweightingSettings()));
        var data = SyntheticDatasets.Moons(40, 0.1, 1);
        Assert.Throws<InvalidParameterException>(() => new ReweightedTrainer<float>(model, new TrainingSettings { Epochs = 1 }, new ReweightingSettings()).Train(data, null));
    }
}
