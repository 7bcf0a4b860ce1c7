using System.Text.Json.Nodes;
using Geometrize.Analysis;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Xunit.Abstractions;

namespace Geometrize.Tests.Networks;

/// <summary>
/// The kinetic-energy regulariser W·½Σ_k h·E‖f_k‖²: its value against the trajectory measure, the Taylor test of the
/// regularised loss's gradient, its effect in training, storage in model.json, and bad input.
/// </summary>
public class KineticEnergyRegularizerTests(ITestOutputHelper output)
{
    private static ModelArchitecture Arch(ModelKind kind, bool batchNorm = false, int depth = 5) => new()
    {
        Kind = kind, InputDimension = 3, OutputDimension = 3, Width = 4, Hidden = 6, Depth = depth,
        Activation = Activation.Tanh, BatchNorm = batchNorm, Seed = 7,
    };

    private static (Tensor<double> X, int[] Labels) Data(int rows, int seed = 5)
    {
        var rng = new Random(seed);
        return (Tensor<double>.Randn([rows, 3], rng), Enumerable.Range(0, rows).Select(_ => rng.Next(3)).ToArray());
    }

    [Fact]
    public void KineticEnergyEqualsTheTrajectoryMeasureOfTheSameFlow()
    {
        // For a flow, f_k = (x_{k+1} − x_k)/h, so the regulariser and the measured kinetic energy are one number.
        var net = (FlowNet<double>)Arch(ModelKind.FlowNet).Create<double>();
        var (x, _) = Data(11);
        var states = net.Trajectory(x, training: false);
        double regulariser = net.KineticEnergy().Item();
        double measured = TrajectoryMeasures.OfStates(states, double.CreateChecked(net.StepSize)).KineticEnergy;
        output.WriteLine($"regulariser {regulariser:R}, trajectory measure {measured:R}");
        Assert.True(regulariser > 1e-3);
        Assert.True(Math.Abs(regulariser - measured) <= 1e-12 * measured, $"{regulariser:R} vs {measured:R}");
    }

    [Theory]
    [InlineData(ModelKind.FlowNet, false)]
    [InlineData(ModelKind.FlowNet, true)]
    [InlineData(ModelKind.PlainNet, false)]
    public void TaylorTestOfTheRegularisedLossIsSecondOrder(ModelKind kind, bool batchNorm)
    {
        var net = (BlockNetwork<double>)Arch(kind, batchNorm).Create<double>();
        var (x, labels) = Data(9);
        const double weight = 0.7;
        double Objective()
        {
            using var _ = Autograd.NoGrad();
            var l = net.Forward(x, training: true).CrossEntropy(labels);
            return l.Item() + weight * net.KineticEnergy().Item();
        }
        var loss = net.Forward(x, training: true).CrossEntropy(labels) + net.KineticEnergy() * weight;
        double l0 = loss.Item();
        var grads = Autograd.Grad(loss, net.Parameters).Select(g => g.Data).ToArray();
        var rng = new Random(3);
        var direction = net.Parameters.Select(p => Enumerable.Range(0, p.Length).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
        double slope = 0;
        for (int p = 0; p < grads.Length; p++)
            for (int i = 0; i < grads[p].Length; i++) slope += grads[p][i] * direction[p][i];
        var keep = net.Parameters.Select(p => (double[])p.Data.Clone()).ToArray();
        double Remainder(double eps)
        {
            for (int p = 0; p < keep.Length; p++)
                for (int i = 0; i < keep[p].Length; i++) net.Parameters[p].Data[i] = keep[p][i] + eps * direction[p][i];
            double r = Math.Abs(Objective() - l0 - eps * slope);
            for (int p = 0; p < keep.Length; p++) keep[p].CopyTo(net.Parameters[p].Data, 0);
            return r;
        }
        double[] eps = [1e-2, 5e-3, 2.5e-3, 1.25e-3];
        var r = eps.Select(Remainder).ToArray();
        for (int j = 0; j + 1 < r.Length; j++)
        {
            double order = Math.Log2(r[j] / r[j + 1]);
            output.WriteLine($"eps {eps[j]:E2}: remainder {r[j]:E3}, observed order {order:F3}");
            Assert.InRange(order, 1.9, 2.1);
        }
        // A wrong gradient (here: the data loss's gradient only) must fail the same test.
        var plain = net.Forward(x, training: true).CrossEntropy(labels);
        var g2 = Autograd.Grad(plain, net.Parameters).Select(g => g.Data).ToArray();
        double slope2 = 0;
        for (int p = 0; p < g2.Length; p++)
            for (int i = 0; i < g2[p].Length; i++) slope2 += g2[p][i] * direction[p][i];
        Assert.True(Math.Abs(slope2 - slope) > 1e-6 * Math.Abs(slope), "the regulariser does not change the gradient along the probe");
    }

    [Fact]
    public void TrainingWithTheRegulariserLowersTheKineticEnergy()
    {
        var data = SyntheticDatasets.Moons(200, 0.1, seed: 2);
        data = Normalization.Fit(data).Apply(data);
        double Energy(double weight)
        {
            var arch = new ModelArchitecture { Kind = ModelKind.FlowNet, InputDimension = 2, OutputDimension = 2, Width = 6, Hidden = 12, Depth = 8, Seed = 1 };
            var model = (FlowNet<float>)arch.Create<float>();
            var result = new Trainer<float>(model, new TrainingSettings { Epochs = 15, BatchSize = 40, LearningRate = 0.02, Seed = 1, KineticEnergyWeight = weight })
                .Train(data);
            var x = Trainer<float>.Inputs(data.Features, data.Count, 2);
            using var _ = Autograd.NoGrad();
            model.Forward(x, training: false);
            double e = model.KineticEnergy().Item();
            output.WriteLine($"W = {weight}: kinetic energy {e:F4}, train accuracy {result.Final.TrainAccuracy:P1}");
            return e;
        }
        double free = Energy(0), regularised = Energy(1);
        Assert.True(regularised < 0.5 * free, $"kinetic energy {regularised:F4} with the regulariser, {free:F4} without");
    }

    [Fact]
    public void TheWeightIsStoredInModelJsonAndOldFilesStillLoad()
    {
        var settings = new TrainingSettings { KineticEnergyWeight = 0.25 };
        var arch = Arch(ModelKind.FlowNet);
        string json = ModelFile.Describe(new ModelDescription(arch, settings, null, "moons", LearningTask.Classification, null), 1);
        Assert.Equal(0.25, ModelFile.ParseDescription(json, "model.json").Training!.KineticEnergyWeight);
        var old = JsonNode.Parse(json)!.AsObject();
        old["training"]!.AsObject().Remove("kineticEnergyWeight");
        Assert.Equal(0, ModelFile.ParseDescription(old.ToJsonString(), "model.json").Training!.KineticEnergyWeight);
    }

    [Fact]
    public void BadUseIsATypedErrorNamingTheOption()
    {
        var e1 = Assert.Throws<InvalidParameterException>(() => new TrainingSettings { KineticEnergyWeight = -1 }.Validate());
        Assert.Contains("--kinetic-energy", e1.Message);
        var e2 = Assert.Throws<InvalidParameterException>(() => new TrainingSettings { KineticEnergyWeight = 1, Gradient = GradientMethod.Continuous }.Validate());
        Assert.Contains("--kinetic-energy", e2.Message);
        var mlp = (Arch(ModelKind.FlowNet) with { Kind = ModelKind.Mlp }).Create<float>();
        var e3 = Assert.Throws<InvalidParameterException>(() => new Trainer<float>(mlp, new TrainingSettings { KineticEnergyWeight = 1 }));
        Assert.Contains("flow or plain network", e3.Message);
        var net = (FlowNet<double>)Arch(ModelKind.FlowNet).Create<double>();
        Assert.Throws<InvalidOperationException>(() => net.KineticEnergy());
    }
}
