using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class UnaryOpsTests
{
    public static TheoryData<string> Ops => new() { "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "square", "pow3", "pow0.5", "scale" };

    private static Tensor<double> Apply(string op, Tensor<double> x) => op switch
    {
        "neg" => -x,
        "exp" => x.Exp(),
        "log" => x.Log(),
        "sqrt" => x.Sqrt(),
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "relu" => x.Relu(),
        "softplus" => x.Softplus(),
        "square" => x.Square(),
        "pow3" => x.Pow(3.0),
        "pow0.5" => x.Pow(0.5),
        _ => x.Scale(-1.5),
    };

    private static double Reference(string op, double x) => op switch
    {
        "neg" => -x,
        "exp" => Math.Exp(x),
        "log" => Math.Log(x),
        "sqrt" => Math.Sqrt(x),
        "tanh" => Math.Tanh(x),
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        "relu" => Math.Max(x, 0),
        "softplus" => Math.Log(1 + Math.Exp(x)),
        "square" => x * x,
        "pow3" => x * x * x,
        "pow0.5" => Math.Sqrt(x),
        _ => -1.5 * x,
    };

    private static bool NeedsPositive(string op) => op is "log" or "sqrt" or "pow0.5";

    [Theory, MemberData(nameof(Ops))]
    public void ForwardMatchesScalarMath(string op)
    {
        var rng = new Random(op.Length);
        var x = NeedsPositive(op) ? GradCheck.Positive(rng, 0.2, 3, 17) : GradCheck.AwayFromZero(rng, 0.1, 3, 17);
        var y = Apply(op, x);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Reference(op, x.Data[i]), y.Data[i], 1e-12);
    }

    [Theory, MemberData(nameof(Ops))]
    public void FirstAndSecondOrderMatchFiniteDifferences(string op)
    {
        var rng = new Random(op.GetHashCode() & 0xffff);
        foreach (var shape in new[] { new[] { 5 }, new[] { 2, 3 }, new[] { 2, 2, 3 } })
        {
            // Inputs away from 0 so that relu's kink is never within a finite-difference step.
            var x = NeedsPositive(op) ? GradCheck.Positive(rng, 0.3, 2, shape) : GradCheck.AwayFromZero(rng, 0.1, 2, shape);
            GradCheck.Both(t => Apply(op, t[0]), x);
            GradCheck.Both(t => Apply(op, t[0]) * t[0], x);
        }
    }

    [Fact]
    public void ReluSecondDerivativeIsZeroAndSoftplusIsStableForLargeInputs()
    {
        var x = Tensor<double>.FromArray([4], [-2.0, -0.5, 0.5, 2.0]).WithRequiresGrad();
        var hv = Autograd.HessianVectorProduct(() => TensorOps.Sum(x.Relu() * x.Relu() * x.Relu()), [x], [Tensor<double>.Ones(4)]);
        Assert.Equal(new[] { 0, 0, 6 * 0.5, 6 * 2.0 }, hv[0].Data.Select(v => Math.Round(v, 12)));
        var big = Tensor<double>.FromArray([2], [800.0, -800.0]).Softplus();
        Assert.Equal(800.0, big.Data[0]);
        Assert.Equal(0.0, big.Data[1], 1e-300);
    }
}
