using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// Influence functions on ridge regression (n = 100, d = 11), where everything has a closed form:
/// H = XᵀX/n + λI, and removing point i (keeping the factor 1/n) moves θ̂ by exactly A⁻¹x_i r_i/(1 − h_ii) with
/// A = nH, r_i = x_iᵀθ̂ − y_i and the leverage h_ii = x_iᵀA⁻¹x_i (Sherman–Morrison). The influence prediction is the
/// same without the factor 1/(1 − h_ii).
/// </summary>
public class InfluenceLinearRegressionTests
{
    private const int N = 100, D = 11;
    private const double L2 = 0.01;

    private static (LeastSquaresModel Model, EmpiricalRisk<double> Risk, Dataset Train, Dataset Test) Fit()
    {
        var train = InfluenceFixtures.Regression(N, D, seed: 1);
        var test = InfluenceFixtures.Regression(20, D, seed: 2);
        var model = new LeastSquaresModel(D);
        var risk = new EmpiricalRisk<double>(model, train, L2);
        var r = NewtonMinimizer.Minimize(risk, 1e-12);
        Assert.True(r.Converged, $"Newton stopped at ‖∇R‖ = {r.GradientNorm}");
        return (model, risk, train, test);
    }

    [Fact]
    public void NewtonReachesTheNormalEquations()
    {
        var (model, _, train, _) = Fit();
        var theta = model.Theta.Data;
        // Residual of the ridge normal equations computed naively: (1/n) Xᵀ(Xθ − y) + λθ = 0.
        var g = new double[D];
        for (int i = 0; i < N; i++)
        {
            var x = train.FeatureRow(i);
            double r = InfluenceFixtures.Dot(x, theta) - train.TargetRow(i)[0];
            for (int j = 0; j < D; j++) g[j] += x[j] * r / N;
        }
        for (int j = 0; j < D; j++) g[j] += L2 * theta[j];
        Assert.True(g.Max(Math.Abs) < 1e-11, $"normal-equation residual {g.Max(Math.Abs)}");
    }

    [Fact]
    public void HessianFromDoubleBackwardEqualsRidgeHessian()
    {
        var (_, risk, train, _) = Fit();
        var expected = InfluenceFixtures.RidgeHessian(train, L2);
        var h = new double[D * D];
        risk.DenseMatrix(h);
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++) Assert.Equal(expected[a, b], h[a * D + b], 1e-12);
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("cg")]
    [InlineData("lissa")]
    public void InverseHvpRecoversAKnownSolution(string solver)
    {
        var (_, risk, train, _) = Fit();
        var h = InfluenceFixtures.RidgeHessian(train, L2);
        var rng = new Random(5);
        var sTrue = Enumerable.Range(0, D).Select(_ => InfluenceFixtures.Normal(rng)).ToArray();
        var g = InfluenceFixtures.Multiply(h, sTrue);
        IInverseHvpSolver s = solver switch
        {
            "exact" => new ExactInverseHvp(risk),
            "cg" => new ConjugateGradientInverseHvp(risk, tolerance: 1e-12, maxIterations: 100),
            _ => new LissaInverseHvp(risk, depth: 3000),
        };
        var result = s.Solve(g);
        Assert.True(result.Converged);
        Assert.Null(result.Warning);
        double tolerance = solver == "lissa" ? 1e-4 : 1e-6;
        Assert.True(InfluenceFixtures.MaxAbsDifference(result.Solution, sTrue) < tolerance,
            $"{solver}: max error {InfluenceFixtures.MaxAbsDifference(result.Solution, sTrue)}");
        if (solver == "cg") Assert.True(result.Iterations <= D + 2, $"CG used {result.Iterations} iterations on an {D}-dimensional problem");
    }

    [Fact]
    public void DampingShiftsTheSolvedSystem()
    {
        var (_, risk, train, _) = Fit();
        var h = InfluenceFixtures.RidgeHessian(train, L2 + 0.5);
        var sTrue = Enumerable.Range(0, D).Select(i => 1.0 - 0.1 * i).ToArray();
        var g = InfluenceFixtures.Multiply(h, sTrue);
        foreach (var s in new IInverseHvpSolver[] { new ExactInverseHvp(risk, 0.5), new ConjugateGradientInverseHvp(risk, 0.5, 1e-12) })
            Assert.True(InfluenceFixtures.MaxAbsDifference(s.Solve(g).Solution, sTrue) < 1e-9, s.Name);
    }

    [Fact]
    public void InfluenceMatchesClosedFormLeaveOneOut()
    {
        var (model, risk, train, test) = Fit();
        var thetaHat = model.Theta.ToArray();
        var exact = new ExactInverseHvp(risk);
        var influence = new InfluenceFunctions<double>(risk, exact);
        const int testIndex = 3;
        var result = influence.Compute(test, testIndex);
        var xt = test.FeatureRow(testIndex).ToArray();
        double yt = test.TargetRow(testIndex)[0];
        double Loss(double[] th) => 0.5 * Math.Pow(InfluenceFixtures.Dot(xt, th) - yt, 2);

        var exactChange = new double[N];
        for (int i = 0; i < N; i++)
        {
            var x = train.FeatureRow(i);
            double r = InfluenceFixtures.Dot(x, thetaHat) - train.TargetRow(i)[0];
            // A⁻¹x = H⁻¹x / n from the exact solver (its accuracy is tested above).
            var xd = new double[D];
            for (int j = 0; j < D; j++) xd[j] = x[j];
            var aInvX = exact.Solve(xd).Solution.Select(v => v / N).ToArray();
            double leverage = InfluenceFixtures.Dot(x, aInvX);
            var delta = aInvX.Select(v => v * r / (1 - leverage)).ToArray();
            var thetaLoo = thetaHat.Zip(delta, (a, b) => a + b).ToArray();
            exactChange[i] = Loss(thetaLoo) - Loss(thetaHat);
            // The prediction is the linear term of the exact change with the parameter shift scaled by (1 − h_ii).
            double linear = (exactChange[i] - 0.5 * Math.Pow(InfluenceFixtures.Dot(xt, delta), 2)) * (1 - leverage);
            Assert.Equal(linear, result.PredictedLossChange[i], 1e-12);
            // I_up,params: removing z moves θ̂ by −(1/n)·I_up,params to first order.
            if (i % 25 == 0)
            {
                var up = influence.ParameterInfluence(i).Solution;
                for (int j = 0; j < D; j++) Assert.Equal(delta[j] * (1 - leverage), -up[j] / N, 1e-12);
            }
        }
        Assert.True(Correlation.Pearson(result.PredictedLossChange, exactChange) > 0.99);

        // The validation harness (Newton retraining from θ̂) reproduces the closed-form leave-one-out changes.
        var validation = new LeaveOneOutValidation<double>(risk, new RetrainingOptions(GradientTolerance: 1e-12));
        var report = validation.Validate(result, test, 15);
        Assert.Equal(15, report.Pairs.Count);
        Assert.True(report.BaseGradientNorm < 1e-11);
        foreach (var pair in report.Pairs)
            Assert.True(Math.Abs(pair.Actual - exactChange[pair.TrainingIndex]) < 1e-10 * Math.Max(1, Math.Abs(exactChange[pair.TrainingIndex])),
                $"point {pair.TrainingIndex}: retrained {pair.Actual}, closed form {exactChange[pair.TrainingIndex]}");
        Assert.True(report.Pearson > 0.99, $"Pearson {report.Pearson}");
        Assert.Equal(thetaHat, model.Theta.ToArray()); // θ̂ restored
    }

    [Fact]
    public void SignConventionHarmfulPointsLowerTheTestLossWhenRemoved()
    {
        var (_, risk, _, test) = Fit();
        var result = new InfluenceFunctions<double>(risk, new ExactInverseHvp(risk)).Compute(test, 0);
        int harmful = result.MostHarmful(1)[0], helpful = result.MostHelpful(1)[0];
        Assert.True(result.Influence[harmful] > 0 && result.PredictedLossChange[harmful] < 0);
        Assert.True(result.Influence[helpful] < 0 && result.PredictedLossChange[helpful] > 0);
        var report = new LeaveOneOutValidation<double>(risk).Validate([harmful, helpful], result.PredictedLossChange, test, 0);
        Assert.True(report.Pairs[0].Actual < 0, "removing the most harmful point must lower the test loss");
        Assert.True(report.Pairs[1].Actual > 0, "removing the most helpful point must raise the test loss");
        Assert.Equal(N, result.TopByMagnitude(N).Length);
    }

    [Fact]
    public void LbfgsRetrainingAgreesWithNewton()
    {
        var (_, risk, _, test) = Fit();
        var result = new InfluenceFunctions<double>(risk, new ExactInverseHvp(risk)).Compute(test, 1);
        var newton = new LeaveOneOutValidation<double>(risk).Validate(result, test, 5);
        var lbfgs = new LeaveOneOutValidation<double>(risk, new RetrainingOptions(RetrainingMethod.Lbfgs, 1e-11, 200)).Validate(result, test, 5);
        // L-BFGS stops on its line search a little short of Newton's 1e-10 gradient; 1e-7 of a change of order 0.1 is still far below the predicted–actual gap.
        for (int k = 0; k < 5; k++) Assert.Equal(newton.Pairs[k].Actual, lbfgs.Pairs[k].Actual, 1e-7);
    }
}
