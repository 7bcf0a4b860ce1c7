using Geometrize.Autodiff;
using Geometrize.Networks.Models;

namespace Geometrize.Tests.Networks;

/// <summary>Shapes, parameter counts, names, seeded initialisation and forward passes of the model families.</summary>
public class ModelTests
{
    private static ModelArchitecture Arch(ModelKind kind, int depth = 3, bool tied = false, bool batchNorm = false, int seed = 1) => new()
    {
        Kind = kind, InputDimension = 4, OutputDimension = 3, Width = 5, Hidden = 7, Depth = depth, Tied = tied, BatchNorm = batchNorm, Seed = seed,
    };

    [Fact]
    public void FlowNetParameterCountsMatchTheBenchmarkNetwork()
    {
        var arch = new ModelArchitecture { Kind = ModelKind.FlowNet, InputDimension = 784, OutputDimension = 10, Width = 64, Hidden = 64, Depth = 20 };
        // lift 784·64 + 64, 20 blocks of (64·64 + 64) · 2, head 64·10 + 10.
        Assert.Equal(50_240 + 20 * 8_320 + 650, arch.Create<float>().ParameterCount);
        Assert.Equal(50_240 + 8_320 + 650, (arch with { Tied = true }).Create<float>().ParameterCount);
        Assert.Equal(50_240 + 20 * (8_320 + 128) + 650, (arch with { BatchNorm = true }).Create<float>().ParameterCount);
    }

    [Fact]
    public void StateNamesFollowThePyTorchConvention()
    {
        var names = Arch(ModelKind.FlowNet, batchNorm: true).Create<float>().State.Select(s => s.Name).ToArray();
        Assert.Equal(["lift.weight", "lift.bias", "blocks.0.w1", "blocks.0.b1", "blocks.0.w2", "blocks.0.b2"], names[..6]);
        Assert.Contains("blocks.2.bn.running_var", names);
        Assert.Equal(["head.weight", "head.bias"], names[^2..]);
        Assert.Equal(names.Length, names.Distinct().Count());
        var tied = Arch(ModelKind.FlowNet, tied: true).Create<float>().State.Select(s => s.Name).ToArray();
        Assert.Equal(["lift.weight", "lift.bias", "blocks.w1", "blocks.b1", "blocks.w2", "blocks.b2", "head.weight", "head.bias"], tied);
        var mlp = Arch(ModelKind.Mlp).Create<float>().State.Select(s => s.Name).ToArray();
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias", "head.weight", "head.bias"], mlp);
    }

    [Fact]
    public void InitialisationIsSeededAndBoundedByOneOverSqrtFanIn()
    {
        var a = (FlowNet<double>)Arch(ModelKind.FlowNet).Create<double>();
        var b = (FlowNet<double>)Arch(ModelKind.FlowNet).Create<double>();
        var c = (FlowNet<double>)Arch(ModelKind.FlowNet, seed: 2).Create<double>();
        Assert.Equal(a.Blocks[1].W2.Data, b.Blocks[1].W2.Data);
        Assert.NotEqual(a.Blocks[1].W2.Data, c.Blocks[1].W2.Data);
        Assert.All(a.Lift.Weight.Data, v => Assert.InRange(Math.Abs(v), 0, 0.5)); // 1/√4
        Assert.All(a.Blocks[0].W2.Data, v => Assert.InRange(Math.Abs(v), 0, 1 / Math.Sqrt(7)));
        Assert.True(a.Blocks[0].W2.Data.Max(Math.Abs) > 0.25, "weights should fill the range");
    }

    [Fact]
    public void FlowNetIsTheEulerSchemeAndPlainNetTheCompositionOfItsBlocks()
    {
        var x = Tensor<double>.Randn([6, 4], new Random(5));
        foreach (bool residual in new[] { true, false })
        {
            var net = (BlockNetwork<double>)Arch(residual ? ModelKind.FlowNet : ModelKind.PlainNet).Create<double>();
            Assert.Equal(residual, net.Residual);
            var y = net.Forward(x, training: false).Data;
            // By hand: the state after the lift, then N steps, then the head.
            var s = Lin(x.Data, net.Lift, 6);
            for (int k = 0; k < net.Depth; k++)
            {
                var z = Lin(s, net.Blocks[k].Inner, 6).Select(Math.Tanh).ToArray();
                var f = Lin(z, net.Blocks[k].Outer, 6);
                s = residual ? s.Zip(f, (xi, fi) => xi + fi / net.Depth).ToArray() : f;
            }
            var expected = Lin(s, net.Head, 6);
            for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], y[i], 12);
        }
    }

    private static double[] Lin(double[] x, LinearLayer<double> layer, int rows)
    {
        var y = new double[rows * layer.Outputs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < layer.Outputs; o++)
            {
                double s = layer.Bias.Data[o];
                for (int i = 0; i < layer.Inputs; i++) s += layer.Weight.Data[o * layer.Inputs + i] * x[r * layer.Inputs + i];
                y[r * layer.Outputs + o] = s;
            }
        return y;
    }

    [Fact]
    public void TiedFlowNetSharesOneBlockAtEveryDepth()
    {
        var net = (FlowNet<float>)Arch(ModelKind.FlowNet, depth: 5, tied: true).Create<float>();
        Assert.All(net.Blocks, b => Assert.Same(net.Blocks[0], b));
        Assert.Equal(8, net.Parameters.Count);
    }

    [Fact]
    public void MlpAndLogisticRegressionProduceOutputsOfTheRightShape()
    {
        var x = Tensor<float>.Randn([7, 4], new Random(1));
        foreach (var kind in new[] { ModelKind.Mlp, ModelKind.LogisticRegression, ModelKind.PlainNet, ModelKind.FlowNet })
        {
            var model = Arch(kind, batchNorm: kind != ModelKind.LogisticRegression).Create<float>();
            var y = model.Forward(x, training: true);
            Assert.Equal([7, 3], y.Shape);
            Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
            Assert.Equal(kind, model.Architecture.Kind);
        }
        var logreg = Arch(ModelKind.LogisticRegression).Create<float>();
        Assert.Equal(4 * 3 + 3, logreg.ParameterCount);
    }

    [Theory]
    [InlineData("depth", 0)]
    [InlineData("width", 0)]
    [InlineData("hidden", -1)]
    public void BadSizesAreRejectedNamingTheOption(string option, int value)
    {
        var arch = option switch
        {
            "depth" => Arch(ModelKind.FlowNet) with { Depth = value },
            "width" => Arch(ModelKind.FlowNet) with { Width = value },
            _ => Arch(ModelKind.FlowNet) with { Hidden = value },
        };
        var e = Assert.Throws<InvalidParameterException>(() => arch.Create<float>());
        Assert.Contains("--" + option, e.Message);
    }

    [Fact]
    public void NamesParseAndUnknownNamesAreClearErrors()
    {
        Assert.Equal(ModelKind.LogisticRegression, ModelArchitecture.ParseKind("LogReg"));
        Assert.Equal(Activation.Softplus, Activations.Parse("softplus"));
        Assert.Contains("flownet, plainnet, mlp or logreg", Assert.Throws<InvalidParameterException>(() => ModelArchitecture.ParseKind("resnet")).Message);
        Assert.Contains("tanh, relu or softplus", Assert.Throws<InvalidParameterException>(() => Activations.Parse("gelu")).Message);
    }
}
