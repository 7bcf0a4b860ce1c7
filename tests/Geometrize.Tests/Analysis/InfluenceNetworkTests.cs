using Geometrize.Analysis.Influence;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Optimizers;
using Geometrize.Networks.Training;
using Xunit.Abstractions;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// <see cref="NetworkInfluenceModel{T}"/>: trained networks as influence models. Per-example losses against a naive
/// evaluation, the squared-error Hessian of a linear network against the ridge closed form, and exact influence on a
/// small MLP against leave-one-out retraining by Newton's method.
/// </summary>
public class InfluenceNetworkTests(ITestOutputHelper output)
{
    private static Dataset Blobs(int n, int d, int classes, int seed)
    {
        var rng = new Random(seed);
        var centres = Enumerable.Range(0, classes * d).Select(_ => 1.2 * InfluenceFixtures.Normal(rng)).ToArray();
        var x = new float[n * d];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % classes;
            for (int j = 0; j < d; j++) x[i * d + j] = (float)(centres[y[i] * d + j] + InfluenceFixtures.Normal(rng));
        }
        return Dataset.Classification("blobs", x, [d], y, classes);
    }

    private static IModel<double> SmallMlp(int d, int width, int classes, bool batchNorm = false) => new ModelArchitecture
    {
        Kind = ModelKind.Mlp, InputDimension = d, OutputDimension = classes, Width = width, Depth = 1,
        Activation = Activation.Tanh, BatchNorm = batchNorm, Seed = 5,
    }.Create<double>();

    [Fact]
    public void ExampleLossesAreCrossEntropyInEvaluationMode()
    {
        var data = Blobs(12, 4, 3, 1);
        var net = SmallMlp(4, 5, 3, batchNorm: true);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var x = Tensor<double>.Zeros(data.Count, 4);
        data.Gather<double>(all, x.Data);
        net.Forward(x, training: true);   // moves the running statistics away from (0, 1)
        var model = new NetworkInfluenceModel<double>(net, InfluenceLoss.CrossEntropy);
        var losses = model.ExampleLosses(data, all).Data;
        var logits = net.Forward(x, training: false).Data;
        for (int i = 0; i < data.Count; i++)
        {
            double max = logits.Skip(3 * i).Take(3).Max();
            double lse = max + Math.Log(logits.Skip(3 * i).Take(3).Sum(v => Math.Exp(v - max)));
            Assert.Equal(lse - logits[3 * i + data.Label(i)], losses[i], 1e-12);
            // Evaluation mode: an example's loss does not depend on the rest of its batch.
            Assert.Equal(losses[i], model.ExampleLosses(data, [i]).Data[0], 1e-12);
        }
    }

    [Fact]
    public void SquaredErrorHessianOfALinearNetworkIsTheRidgeHessian()
    {
        const int n = 30, d = 4;
        var data = InfluenceFixtures.Regression(n, d, 8);
        var net = new ModelArchitecture { Kind = ModelKind.LogisticRegression, InputDimension = d, OutputDimension = 1 }.Create<double>();
        var model = new NetworkInfluenceModel<double>(net, NetworkInfluenceModel<double>.LossFor(data.Task));
        Assert.Equal(InfluenceLoss.SquaredError, model.Loss);
        const double l2 = 0.03;
        var risk = new EmpiricalRisk<double>(model, data, l2);
        int p = d + 1;   // head.weight [1, d], then head.bias
        Assert.Equal(p, risk.Dimension);
        var h = new double[p * p];
        risk.DenseMatrix(h);
        // ℓ = (w·x + b − y)² ⇒ ∇²R = (2/n) Σ x̃x̃ᵀ + λI with x̃ = (x, 1).
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
            {
                double expected = a == b ? l2 : 0;
                for (int i = 0; i < n; i++)
                {
                    var row = data.FeatureRow(i);
                    expected += 2.0 / n * (a < d ? row[a] : 1) * (b < d ? row[b] : 1);
                }
                Assert.Equal(expected, h[a * p + b], 1e-10);
            }
    }

    [Fact]
    public void ExactInfluenceOnASmallMlpPredictsLeaveOneOutRetraining()
    {
        var train = Blobs(300, 4, 3, 2);
        var test = Blobs(30, 4, 3, 3);
        var model = new NetworkInfluenceModel<double>(SmallMlp(4, 6, 3), InfluenceLoss.CrossEntropy);
        var risk = new EmpiricalRisk<double>(model, train, 0.05);
        new Lbfgs<double>(model.Parameters, maxIterations: 400, gradientTolerance: 1e-8).Step(risk.Objective);
        var fit = NewtonMinimizer.Minimize(risk, 1e-11);
        Assert.True(fit.Converged, $"training stopped at ‖∇R‖ = {fit.GradientNorm}");
        var exact = new ExactInverseHvp(risk);
        // The test point with the largest loss has the largest influences (a clearer signal than an easy point).
        int testIndex = Enumerable.Range(0, test.Count).MaxBy(i => risk.ExampleLoss(test, i));
        var influence = new InfluenceFunctions<double>(risk, exact).Compute(test, testIndex);
        var report = new LeaveOneOutValidation<double>(risk, hessianFactor: exact.Factor).Validate(influence, test, 20);
        output.WriteLine($"p = {risk.Dimension}, Pearson {report.Pearson:F4}, Spearman {report.Spearman:F4}");
        foreach (var q in report.Pairs) output.WriteLine($"  point {q.TrainingIndex}: predicted {q.Predicted:G4}, actual {q.Actual:G4}");
        Assert.All(report.Pairs, q => Assert.True(q.GradientNorm <= 1e-10, $"retraining stopped at {q.GradientNorm}"));
        Assert.True(report.Pearson >= 0.95, $"Pearson {report.Pearson}");
        Assert.True(report.Spearman >= 0.9, $"Spearman {report.Spearman}");
        // CG on the autodiff Hessian–vector products reproduces the exact solve.
        var cg = new InfluenceFunctions<double>(risk, new ConjugateGradientInverseHvp(risk, tolerance: 1e-10, maxIterations: 500)).Compute(test, testIndex);
        Assert.True(cg.Solve.Converged, cg.Warning);
        Assert.True(InfluenceFixtures.RelativeError(cg.Influence, influence.Influence) < 1e-6);
    }

    [Fact]
    public void TruncatedNewtonReachesTheDenseNewtonOptimum()
    {
        var train = Blobs(120, 4, 3, 6);
        var dense = new NetworkInfluenceModel<double>(SmallMlp(4, 5, 3), InfluenceLoss.CrossEntropy);
        var free = new NetworkInfluenceModel<double>(SmallMlp(4, 5, 3), InfluenceLoss.CrossEntropy);
        var denseRisk = new EmpiricalRisk<double>(dense, train, 0.05);
        var freeRisk = new EmpiricalRisk<double>(free, train, 0.05);
        // Same start (same seed), a few L-BFGS steps towards the basin, then each Newton variant to tight optimality.
        new Lbfgs<double>(dense.Parameters, maxIterations: 100).Step(denseRisk.Objective);
        freeRisk.SetParameters(denseRisk.GetParameters());
        var a = NewtonMinimizer.Minimize(denseRisk, 1e-11);
        var lines = new List<string>();
        var b = TruncatedNewtonMinimizer.Minimize(freeRisk, 1e-11, log: lines.Add);
        Assert.True(a.Converged && b.Converged, $"dense {a.GradientNorm}, matrix-free {b.GradientNorm}");
        Assert.Equal(b.Iterations, lines.Count);
        Assert.True(b.Iterations <= 20, $"{b.Iterations} steps");
        Assert.True(InfluenceFixtures.MaxAbsDifference(denseRisk.GetParameters(), freeRisk.GetParameters()) < 1e-8);
        Assert.Equal(a.Value, b.Value, 1e-13);
        // The leave-one-out harness accepts it as a retraining method.
        var influence = new InfluenceFunctions<double>(freeRisk, new ExactInverseHvp(freeRisk)).Compute(train, 0);
        var report = new LeaveOneOutValidation<double>(freeRisk, new RetrainingOptions(RetrainingMethod.TruncatedNewton, 1e-10, 20)).Validate(influence, train, 5);
        Assert.All(report.Pairs, q => Assert.True(q.GradientNorm <= 1e-10));
        Assert.True(report.Pearson > 0.9, $"Pearson {report.Pearson}");
    }

    [Fact]
    public void RegularisationFollowsTheTrainingWeightDecay()
    {
        var sgd = new TrainingSettings { Optimizer = OptimizerKind.Sgd, WeightDecay = 0.002 };
        var lbfgs = new TrainingSettings { Optimizer = OptimizerKind.Lbfgs, WeightDecay = 0.01 };
        var adam = new TrainingSettings { Optimizer = OptimizerKind.Adam, WeightDecay = 0.001 };
        Assert.Equal(new RegularisationChoice(0.002, "weight-decay", null), NetworkInfluenceModel<double>.RegularisationFor(sgd, null));
        Assert.Equal(new RegularisationChoice(0.01, "weight-decay", null), NetworkInfluenceModel<double>.RegularisationFor(lbfgs, null));
        var a = NetworkInfluenceModel<double>.RegularisationFor(adam, null);
        Assert.Equal((0.001, "adamw-weight-decay"), (a.Value, a.Source));
        Assert.Contains("AdamW", a.Note);
        var none = NetworkInfluenceModel<double>.RegularisationFor(new TrainingSettings(), null);
        Assert.Equal((0.0, "none"), (none.Value, none.Source));
        Assert.Contains("--damping", none.Note);
        Assert.Equal(new RegularisationChoice(0.5, "option", null), NetworkInfluenceModel<double>.RegularisationFor(adam, 0.5));
        Assert.Throws<InvalidParameterException>(() => NetworkInfluenceModel<double>.RegularisationFor(null, -1));
    }

    [Fact]
    public void MismatchedDataAreRejected()
    {
        var model = new NetworkInfluenceModel<double>(SmallMlp(4, 3, 3), InfluenceLoss.CrossEntropy);
        var wide = Blobs(10, 5, 3, 1);
        var ex = Assert.Throws<InvalidParameterException>(() => new EmpiricalRisk<double>(model, wide, 0.1));
        Assert.Contains("5 features", ex.Message);
        Assert.Throws<InvalidParameterException>(() => model.ExampleLosses(Blobs(10, 4, 5, 1), [0]));
        Assert.Throws<InvalidParameterException>(() => model.ExampleLosses(InfluenceFixtures.Regression(10, 4, 1), [0]));
    }
}
