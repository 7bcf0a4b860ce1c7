using System.Diagnostics;
using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Optimizers;
using Xunit.Abstractions;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// Koh &amp; Liang's validation on a non-convex model: an MLP 784-32-10 (tanh) on a Fashion-MNIST subset, trained in
/// double by L-BFGS to tight optimality of the L2-regularised risk, influence by conjugate gradient on exact
/// Hessian–vector products, compared with warm-started L-BFGS retraining without each of the most influential points.
/// </summary>
public class InfluenceMlpTests(ITestOutputHelper output)
{
    // n = 1000 images of all 10 classes keeps the test near a minute on a loaded two-core machine; λ = 0.01 makes the
    // Hessian at θ̂ positive definite (no damping needed) and the retraining converge in tens of iterations.
    private const int TrainCount = 1000, TopK = 20;
    private const double L2 = 0.01;

    [SkippableFact]
    public void FashionMnistMlpInfluencePredictsLeaveOneOutRetraining()
    {
        string dir = Path.GetDirectoryName(TestData.Require("fashion-mnist/train-images-idx3-ubyte.gz"))!;
        var clock = Stopwatch.StartNew();
        var train = FashionMnist.Load(dir, train: true, limit: TrainCount);
        var test = FashionMnist.Load(dir, train: false, limit: 200);
        Assert.Equal(10, train.ClassCounts().Count(c => c > 0));
        var net = new ModelArchitecture
        {
            Kind = ModelKind.Mlp, InputDimension = 784, OutputDimension = 10, Width = 32, Depth = 1, Activation = Activation.Tanh, Seed = 1,
        }.Create<double>();
        var model = new NetworkInfluenceModel<double>(net, InfluenceLoss.CrossEntropy);
        var risk = new EmpiricalRisk<double>(model, train, L2);
        var fit = new Lbfgs<double>(model.Parameters, historySize: 20, maxIterations: 3000, gradientTolerance: 1e-9, changeTolerance: 0).Step(risk.Objective);
        var g = new double[risk.Dimension];
        risk.Gradient(g);
        double gradientNorm = Math.Sqrt(g.Sum(v => v * v));
        output.WriteLine($"p = {risk.Dimension}; load + L-BFGS training: {clock.Elapsed.TotalSeconds:F1} s, {fit.Iterations} iterations ({fit.Reason}), R = {fit.Loss:G6}, ‖∇R‖ = {gradientNorm:G3}");
        Assert.True(gradientNorm < 1e-7, $"training stopped at ‖∇R‖ = {gradientNorm}");

        // The misclassified test point with the largest loss: the influences are large there, well above retraining noise.
        int testIndex = Enumerable.Range(0, test.Count).MaxBy(i => risk.ExampleLoss(test, i));
        clock.Restart();
        var solver = new ConjugateGradientInverseHvp(risk, tolerance: 1e-8, maxIterations: 3000);
        var influence = new InfluenceFunctions<double>(risk, solver).Compute(test, testIndex);
        output.WriteLine($"test point {testIndex} (label {test.Label(testIndex)}, loss {influence.TestLoss:G4}); CG influence of all {TrainCount} points: " +
                         $"{clock.Elapsed.TotalSeconds:F1} s, {influence.Solve.Iterations} iterations, residual {influence.Solve.RelativeResidual:G2}");
        Assert.True(influence.Solve.Converged, influence.Warning);

        var retraining = new RetrainingOptions(RetrainingMethod.Lbfgs, GradientTolerance: 1e-10, MaxIterations: 2000);
        var report = new LeaveOneOutValidation<double>(risk, retraining).Validate(influence, test, TopK);
        output.WriteLine($"leave-one-out L-BFGS retraining of the top {TopK}: {report.Seconds:F1} s, Pearson {report.Pearson:F4}, Spearman {report.Spearman:F4}, " +
                         $"max iterations {report.Pairs.Max(q => q.Iterations)}, max ‖∇R‖ {report.Pairs.Max(q => q.GradientNorm):G2}");
        foreach (var q in report.Pairs.Take(5)) output.WriteLine($"  point {q.TrainingIndex}: predicted {q.Predicted:G4}, actual {q.Actual:G4}");
        Assert.True(report.Pearson >= 0.8, $"Pearson {report.Pearson}");
        Assert.True(report.Spearman >= 0.6, $"Spearman {report.Spearman}");
    }
}
