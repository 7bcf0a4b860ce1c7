using Geometrize.Analysis;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;

namespace Geometrize.Tests.Analysis;

/// <summary><see cref="NetworkGeometry"/> on hand-built networks with known geometry, on every model kind, and bad input.</summary>
public sealed class NetworkGeometryTests
{
    private static readonly GeometryOptions Small = new() { TopEigenvalues = 2, Probes = 200, LanczosSteps = 20, Seed = 3 };

    private static Dataset Moons(int n) => SyntheticDatasets.Create("moons", n, 0.05, 1);

    /// <summary>
    /// A FlowNet whose lift is the identity and whose blocks have W₁ = 0, b₁ = 0, W₂ = 0 and b₂ = c: every block moves
    /// every point by h·c, so the velocity is the constant c.
    /// </summary>
    private static FlowNet<double> ConstantVelocityFlow(int depth, double cx, double cy)
    {
        var arch = new ModelArchitecture { Kind = ModelKind.FlowNet, InputDimension = 2, OutputDimension = 2, Width = 2, Hidden = 3, Depth = depth };
        var net = (FlowNet<double>)arch.Create<double>();
        net.Lift.Weight.Data.AsSpan().Clear();
        net.Lift.Weight.Data[0] = 1;
        net.Lift.Weight.Data[3] = 1;
        net.Lift.Bias.Data.AsSpan().Clear();
        foreach (var block in net.Blocks)
        {
            block.W1.Data.AsSpan().Clear();
            block.B1.Data.AsSpan().Clear();
            block.W2.Data.AsSpan().Clear();
            block.B2.Data[0] = cx;
            block.B2.Data[1] = cy;
        }
        return net;
    }

    [Fact]
    public void ConstantVelocityFlowHasConstantSpeedStraightPathsAndKnownEnergy()
    {
        var net = ConstantVelocityFlow(depth: 5, 0.3, 0.4); // ‖c‖ = 0.5
        var report = NetworkGeometry.Analyze(net, Moons(40), Small);

        var t = report.Trajectory!;
        Assert.Equal(5, t.Steps);
        Assert.All(t.Speeds, s => Assert.Equal(0.5, s, 12));
        Assert.Equal(0, t.IsometryIndex, 10);
        Assert.Equal(0.5 * 0.25, t.KineticEnergy, 12);  // ½ Σ_k h ‖c‖² over h·N = 1
        Assert.Equal(0.5, t.CurveLength, 12);          // Σ_k h ‖c‖
        Assert.All(t.TurningAngles, a => Assert.Equal(0, a, 6));

        var c = report.ParameterCurve!;
        Assert.All(c.Norms, v => Assert.Equal(0.5, v, 12)); // θ_k = (0, 0, 0, c)
        Assert.Equal(0.5 * 0.25, c.Energy, 12);
        Assert.Equal(0, c.Length, 12);

        // A translation has Jacobian I: every singular value 1, no volume change.
        Assert.Equal("flow map x_N/x_0", report.JacobianMap);
        Assert.Equal(2, report.Jacobian.InputDimension);
        Assert.Equal(2, report.Jacobian.OutputDimension);
        Assert.All(report.Jacobian.SingularValues.SelectMany(s => s), s => Assert.Equal(1, s, 10));
        Assert.Equal(0, report.Jacobian.MeanLogAbsDeterminant!.Value, 10);

        // Projected paths are the raw 2-D states: straight lines from x_0 in direction c, N steps of h·c.
        Assert.True(report.ProjectionIsIdentity);
        var path = report.ProjectedPaths![0];
        Assert.Equal(6, path.Length);
        Assert.Equal(path[0].X + 0.3, path[^1].X, 10);
        Assert.Equal(path[0].Y + 0.4, path[^1].Y, 10);
    }

    [Fact]
    public void HessianMeasuresAgreeWithTheDenseHessian()
    {
        var arch = new ModelArchitecture { Kind = ModelKind.FlowNet, InputDimension = 2, OutputDimension = 2, Width = 3, Hidden = 4, Depth = 3, Seed = 5 };
        var net = arch.Create<double>();
        var data = Moons(60);
        var report = NetworkGeometry.Analyze(net, data, Small);

        var x = Tensor<double>.FromArray([60, 2], data.Features.ToArray().Select(v => (double)v).ToArray());
        var labels = data.Labels.ToArray();
        var op = new HessianOperator<double>(() => net.Forward(x, training: false).CrossEntropy(labels), net.Parameters);
        int p = op.Dimension;
        var dense = op.ToDense();
        double trace = 0, frobenius = 0, maxDiagonal = double.NegativeInfinity;
        for (int i = 0; i < p; i++)
        {
            trace += dense[i * p + i];
            maxDiagonal = Math.Max(maxDiagonal, dense[i * p + i]);
        }
        foreach (var v in dense) frobenius += v * v;
        frobenius = Math.Sqrt(frobenius);

        Assert.Equal(p, report.ParameterCount);
        var tr = report.HessianTrace!;
        Assert.InRange(trace, tr.Mean - 4 * tr.StandardError, tr.Mean + 4 * tr.StandardError);
        // λ_max is at least every diagonal entry (Rayleigh quotient of e_i) and at most ‖H‖_F.
        double top = report.HessianTop!.Values[0];
        Assert.InRange(top, maxDiagonal - 1e-6, frobenius + 1e-6);
        Assert.Equal(1, report.HessianDensity!.Integral(), 2);
        Assert.NotNull(report.FisherRao);
        Assert.True(report.FisherRao!.Empirical > 0);
    }

    [Fact]
    public void LogisticRegressionHasNoTrajectoryAndItsJacobianIsTheWeightMatrix()
    {
        var arch = new ModelArchitecture { Kind = ModelKind.LogisticRegression, InputDimension = 2, OutputDimension = 2, Seed = 1 };
        var model = arch.Create<double>();
        var report = NetworkGeometry.Analyze(model, Moons(30), Small with { Probes = 10 });
        Assert.Null(report.Trajectory);
        Assert.Null(report.ParameterCurve);
        Assert.Null(report.ProjectedPaths);
        Assert.Equal("network map output/input", report.JacobianMap);
        // J = W for every input: Σσ² = ‖W‖_F².
        double frobenius = ((LogisticRegression<double>)model).Head.Weight.Data.Sum(w => w * w);
        foreach (var s in report.Jacobian.SingularValues) Assert.Equal(frobenius, s.Sum(v => v * v), 10);
    }

    [Fact]
    public void MlpGetsEveryMeasureButTheTrajectory()
    {
        var arch = new ModelArchitecture { Kind = ModelKind.Mlp, InputDimension = 2, OutputDimension = 2, Width = 5, Depth = 2, Seed = 2 };
        var report = NetworkGeometry.Analyze(arch.Create<double>(), Moons(30), Small with { Probes = 10 });
        Assert.Null(report.Trajectory);
        Assert.Equal(2, report.HessianTop!.Values.Length);
        Assert.True(report.HessianTop.Values[0] >= report.HessianTop.Values[1] - 1e-9);
        Assert.NotNull(report.HessianDensity);
        Assert.NotNull(report.FisherRao);
    }

    [Fact]
    public void PlainNetGetsATrajectory()
    {
        var arch = new ModelArchitecture { Kind = ModelKind.PlainNet, InputDimension = 2, OutputDimension = 2, Width = 4, Hidden = 4, Depth = 3, Seed = 2 };
        var report = NetworkGeometry.Analyze(arch.Create<double>(), Moons(30), Small with { TopEigenvalues = 0, Probes = 0, LanczosSteps = 0 });
        Assert.Equal(3, report.Trajectory!.Speeds.Length);
        Assert.False(report.ProjectionIsIdentity); // width 4 → PCA
        Assert.Equal(4, report.ProjectedPaths![0].Length);
        Assert.Null(report.HessianTop);
        Assert.Null(report.HessianTrace);
        Assert.Null(report.HessianDensity);
    }

    [Fact]
    public void DataOfTheWrongSizeOrBadOptionsAreRejected()
    {
        var net = ConstantVelocityFlow(2, 1, 0);
        var threeFeatures = Dataset.Classification("three", new float[9], [3], [0, 1, 0], 2);
        var e = Assert.Throws<InvalidParameterException>(() => NetworkGeometry.Analyze(net, threeFeatures, Small));
        Assert.Contains("3 features", e.Message);
        Assert.Throws<InvalidParameterException>(() => NetworkGeometry.Analyze(net, Moons(10), Small with { Probes = -1 }));
        Assert.Throws<InvalidParameterException>(() => NetworkGeometry.Analyze(net, Moons(10), Small with { JacobianSamples = 0 }));
    }
}
