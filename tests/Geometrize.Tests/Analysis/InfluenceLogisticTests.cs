using System.Diagnostics;
using Geometrize.Analysis.Influence;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Xunit.Abstractions;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// Binary logistic regression: the closed forms against automatic differentiation, and Koh &amp; Liang's validation on
/// Fashion-MNIST T-shirt (0) vs shirt (6): exact influence against leave-one-out retraining, CG and LiSSA against exact.
/// </summary>
public class InfluenceLogisticTests(ITestOutputHelper output)
{
    /// <summary>Forwards only the loss, hiding the closed forms, so the risk falls back to automatic differentiation.</summary>
    private sealed class AutodiffOnly(IInfluenceModel<double> inner) : IInfluenceModel<double>
    {
        public IReadOnlyList<Tensor<double>> Parameters => inner.Parameters;
        public int InputDimension => inner.InputDimension;
        public Tensor<double> ExampleLosses(Dataset data, int[] indices) => inner.ExampleLosses(data, indices);
    }

    private static Dataset TwoClassBlobs(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * d];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2;
            for (int j = 0; j < d; j++) x[i * d + j] = (float)(InfluenceFixtures.Normal(rng) + (y[i] == 1 ? 0.7 : -0.7) * (j % 3 == 0 ? 1 : 0.3));
        }
        return Dataset.Classification("blobs", x, [d], y, 2);
    }

    [Fact]
    public void ClosedFormsAgreeWithAutomaticDifferentiation()
    {
        const int n = 40, d = 6;
        var data = TwoClassBlobs(n, d, 3);
        var model = new LogisticInfluenceModel<double>(d);
        var rng = new Random(4);
        for (int j = 0; j < d; j++) model.Weight.Data[j] = InfluenceFixtures.Normal(rng);
        model.Bias.Data[0] = 0.3;
        var closed = new EmpiricalRisk<double>(model, data, 0.05);
        var auto = new EmpiricalRisk<double>(new AutodiffOnly(model), data, 0.05);
        Assert.True(closed.UsesClosedForms);
        Assert.False(auto.UsesClosedForms);
        closed.ExampleWeights[7] = 0;
        auto.ExampleWeights[7] = 0;
        int p = d + 1;
        int[] idx = [0, 5, 7, 39];
        double[] g1 = new double[idx.Length * p], g2 = new double[idx.Length * p];
        closed.ExampleGradients(data, idx, g1);
        auto.ExampleGradients(data, idx, g2);
        Assert.True(InfluenceFixtures.MaxAbsDifference(g1, g2) < 1e-13);
        var v = Enumerable.Range(0, p).Select(i => Math.Sin(i + 1.0)).ToArray();
        double[] h1 = new double[p], h2 = new double[p];
        closed.Multiply(v, h1);
        auto.Multiply(v, h2);
        Assert.True(InfluenceFixtures.MaxAbsDifference(h1, h2) < 1e-13);
        closed.MultiplySample([1, 2, 2, 9], v, h1);
        auto.MultiplySample([1, 2, 2, 9], v, h2);
        Assert.True(InfluenceFixtures.MaxAbsDifference(h1, h2) < 1e-13);
        double[] m1 = new double[p * p], m2 = new double[p * p];
        closed.DenseMatrix(m1);
        auto.DenseMatrix(m2);
        Assert.True(InfluenceFixtures.MaxAbsDifference(m1, m2) < 1e-13);
        double[] r1 = new double[p], r2 = new double[p];
        closed.Gradient(r1);
        auto.Gradient(r2);
        Assert.True(InfluenceFixtures.MaxAbsDifference(r1, r2) < 1e-13);
        Assert.Equal(auto.Value(), closed.Value(), 1e-14);
        Assert.Equal(auto.ExampleLoss(data, 3), closed.ExampleLoss(data, 3), 1e-14);
        // The gradient is the derivative of the value (central difference along v).
        var theta = closed.GetParameters();
        double eps = 1e-5;
        closed.SetParameters(theta.Zip(v, (a, b) => a + eps * b).ToArray());
        double fp = closed.Value();
        closed.SetParameters(theta.Zip(v, (a, b) => a - eps * b).ToArray());
        double fm = closed.Value();
        closed.SetParameters(theta);
        Assert.Equal(r1.Zip(v, (a, b) => a * b).Sum(), (fp - fm) / (2 * eps), 1e-8);
    }

    [Fact]
    public void FloatModelGivesTheDoubleInfluenceToFloatAccuracy()
    {
        var data = TwoClassBlobs(60, 6, 8);
        var test = TwoClassBlobs(5, 6, 9);
        var m64 = new LogisticInfluenceModel<double>(6);
        var r64 = new EmpiricalRisk<double>(m64, data, 0.1);
        Assert.True(NewtonMinimizer.Minimize(r64, 1e-12).Converged);
        var m32 = new LogisticInfluenceModel<float>(6);
        var r32 = new EmpiricalRisk<float>(m32, data, 0.1);
        r32.SetParameters(r64.GetParameters());
        var i64 = new InfluenceFunctions<double>(r64, new ExactInverseHvp(r64)).Compute(test, 2);
        var i32 = new InfluenceFunctions<float>(r32, new ConjugateGradientInverseHvp(r32, tolerance: 1e-10)).Compute(test, 2);
        Assert.True(InfluenceFixtures.RelativeError(i32.Influence, i64.Influence) < 1e-5);
    }

    [SkippableFact]
    public void FashionMnistInfluencePredictsLeaveOneOutRetraining()
    {
        string dir = Path.GetDirectoryName(TestData.Require("fashion-mnist/train-images-idx3-ubyte.gz"))!;
        var clock = Stopwatch.StartNew();
        var train = FashionMnist.Load(dir, train: true, limit: 12000).ClassesFilter(0, 6).Take(2000);
        var test = FashionMnist.Load(dir, train: false, limit: 1000).ClassesFilter(0, 6);
        Assert.Equal(2000, train.Count);
        var model = new LogisticInfluenceModel<double>(784);
        var risk = new EmpiricalRisk<double>(model, train, 0.01);
        var fit = NewtonMinimizer.Minimize(risk, 1e-10);
        Assert.True(fit.Converged, $"training stopped at ‖∇R‖ = {fit.GradientNorm}");
        output.WriteLine($"load + Newton training: {clock.Elapsed.TotalSeconds:F1} s, {fit.Iterations} steps, R = {fit.Value:G6}");

        const int testIndex = 0;
        clock.Restart();
        var exact = new ExactInverseHvp(risk);
        var influence = new InfluenceFunctions<double>(risk, exact).Compute(test, testIndex);
        output.WriteLine($"exact influence (Hessian, Cholesky, all 2000 points): {clock.Elapsed.TotalSeconds:F2} s; test loss {influence.TestLoss:G4}");

        clock.Restart();
        var report = new LeaveOneOutValidation<double>(risk, hessianFactor: exact.Factor).Validate(influence, test, 40);
        output.WriteLine($"leave-one-out retraining of the top 40: {report.Seconds:F1} s, Pearson {report.Pearson:F4}, Spearman {report.Spearman:F4}, " +
                         $"max Newton steps {report.Pairs.Max(q => q.Iterations)}, max ‖∇R‖ {report.Pairs.Max(q => q.GradientNorm):G2}");
        foreach (var q in report.Pairs.Take(5)) output.WriteLine($"  point {q.TrainingIndex}: predicted {q.Predicted:G4}, actual {q.Actual:G4}");
        Assert.All(report.Pairs, q => Assert.True(q.GradientNorm <= 1e-10));
        Assert.True(report.Pearson >= 0.95, $"Pearson {report.Pearson}");
        Assert.True(report.Spearman >= 0.9, $"Spearman {report.Spearman}");

        clock.Restart();
        var cg = new InfluenceFunctions<double>(risk, new ConjugateGradientInverseHvp(risk, tolerance: 1e-8, maxIterations: 2000)).Compute(test, testIndex);
        double cgError = InfluenceFixtures.RelativeError(cg.Influence, influence.Influence);
        output.WriteLine($"cg: {clock.Elapsed.TotalSeconds:F2} s, {cg.Solve.Iterations} iterations, relative error of influence {cgError:G3}");
        Assert.True(cg.Solve.Converged, cg.Warning);
        Assert.True(cgError < 1e-3);

        clock.Restart();
        var lissaSolver = new LissaInverseHvp(risk, depth: LissaDepth, repeats: LissaRepeats, batchSize: LissaBatch, seed: 1);
        var lissa = new InfluenceFunctions<double>(risk, lissaSolver).Compute(test, testIndex);
        double lissaError = InfluenceFixtures.RelativeError(lissa.Influence, influence.Influence);
        output.WriteLine($"lissa: {clock.Elapsed.TotalSeconds:F2} s, scale {lissaSolver.Scale:G3}, depth {LissaDepth}, repeats {LissaRepeats}, batch {LissaBatch}, relative error of influence {lissaError:G3}, residual {lissa.Solve.RelativeResidual:G3}");
        Assert.True(lissaError < 0.05);
    }

    // Full-batch products make LiSSA the deterministic Neumann series; sampled batches of 200 left errors of 3–7 %
    // (residual 0.1–0.3), too close to the 5 % requirement; full batch gave 4.4 % at depth 3000 and 1.0 % at 5000.
    private const int LissaDepth = 4000, LissaRepeats = 1, LissaBatch = 0;
}
