using Geometrize.Autodiff;
using Geometrize.Networks.Optimizers;

namespace Geometrize.Tests.Autodiff;

public class OptimizerTests
{
    // f(x) = ½ (x − c)ᵀ A (x − c) with A = diag(1, 4, 10): minimiser c.
    private static readonly double[] Diag = [1, 4, 10];
    private static readonly double[] Centre = [1, -2, 0.5];

    private static Tensor<T> Quadratic<T>(Tensor<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Tensor<T>.FromArray([3], Diag.Select(T.CreateChecked).ToArray());
        var c = Tensor<T>.FromArray([3], Centre.Select(T.CreateChecked).ToArray());
        var d = x - c;
        return (d * d * a).Sum() * T.CreateChecked(0.5);
    }

    private static double Distance<T>(Tensor<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => Math.Sqrt(Enumerable.Range(0, 3).Sum(i => Math.Pow(double.CreateChecked(x.Data[i]) - Centre[i], 2)));

    private static void Run<T>(Tensor<T> x, Optimizer<T> opt, int steps) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            Quadratic(x).Backward();
            opt.Step();
        }
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void SgdMinimisesAConvexQuadratic(double momentum, bool nesterov)
    {
        var x = Tensor<double>.Zeros(3).WithRequiresGrad();
        Run(x, new Sgd<double>([x], 0.09, momentum, nesterov), 300);
        Assert.True(Distance(x) < 1e-6, $"distance {Distance(x)}");
    }

    [Fact]
    public void SgdWeightDecayShiftsTheMinimiserToTheRegularisedOne()
    {
        var x = Tensor<double>.Zeros(3).WithRequiresGrad();
        Run(x, new Sgd<double>([x], 0.05, 0.5, weightDecay: 1.0), 500);
        // minimiser of ½(x−c)ᵀA(x−c) + ½‖x‖²: (A + I)x = Ac
        for (int i = 0; i < 3; i++) Assert.Equal(Diag[i] * Centre[i] / (Diag[i] + 1), x.Data[i], 1e-8);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamMinimisesAConvexQuadraticInFloat(bool decoupled)
    {
        var x = Tensor<float>.Zeros(3).WithRequiresGrad();
        var adam = new Adam<float>([x], 0.05, weightDecay: 0, decoupledWeightDecay: decoupled);
        Run(x, adam, 1500);
        Assert.True(Distance(x) < 1e-3, $"distance {Distance(x)}");
        Assert.Equal(1500, adam.StepCount);
    }

    [Fact]
    public void AdamWDecaysWeightsIndependentlyOfTheGradientScale()
    {
        // With a zero gradient only the decoupled decay acts: θ ← θ(1 − ηλ) each step.
        var x = Tensor<double>.Ones(2).WithRequiresGrad();
        var adam = new Adam<double>([x], 0.1, weightDecay: 0.5, decoupledWeightDecay: true);
        for (int s = 0; s < 10; s++)
        {
            x.Grad = Tensor<double>.Zeros(2);
            adam.Step();
        }
        Assert.Equal(Math.Pow(1 - 0.05, 10), x.Data[0], 1e-12);
    }

    [Theory]
    [InlineData(LineSearchKind.StrongWolfe)]
    [InlineData(LineSearchKind.Armijo)]
    public void LbfgsMinimisesRosenbrock(LineSearchKind kind)
    {
        var x = Tensor<double>.FromArray([2], [-1.2, 1.0]).WithRequiresGrad();
        var lbfgs = new Lbfgs<double>([x], maxIterations: 500, gradientTolerance: 1e-10, changeTolerance: 0, lineSearch: kind);
        var result = lbfgs.Step(() =>
        {
            var x0 = x.Slice(0, 0, 1);
            var x1 = x.Slice(0, 1, 1);
            return ((1.0 - x0).Square() + 100.0 * (x1 - x0.Square()).Square()).Sum();
        });
        Assert.True(Math.Abs(x.Data[0] - 1) < 1e-6 && Math.Abs(x.Data[1] - 1) < 1e-6, $"{x.Data[0]}, {x.Data[1]} after {result}");
        Assert.True(result.Loss < 1e-12);
        if (kind == LineSearchKind.StrongWolfe) Assert.True(result.Iterations < 100, result.ToString());
    }

    [Fact]
    public void AdamTrainsAFloatMlpWithBatchNormToSeparateTwoBlobs()
    {
        var rng = new Random(9);
        int n = 64;
        var x = Tensor<float>.Randn([n, 2], rng);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            x.Data[2 * i] += labels[i] == 0 ? -2f : 2f;
        }
        Tensor<float> P(params int[] s) => Tensor<float>.Randn(s, rng, std: 0.5).WithRequiresGrad();
        var w1 = P(16, 2); var b1 = P(16); var w2 = P(2, 16); var b2 = P(2);
        var bn = new BatchNorm<float>(16);
        var adam = new Adam<float>(new[] { w1, b1, w2, b2 }.Concat(bn.Parameters).ToArray(), 0.02);
        Tensor<float> Logits() => bn.Forward(x.Linear(w1, b1)).Relu().Linear(w2, b2);
        float first = 0, last = 0;
        for (int step = 0; step < 200; step++)
        {
            adam.ZeroGrad();
            var loss = Logits().CrossEntropy(labels);
            loss.Backward();
            adam.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < 0.1f * first, $"loss {first} → {last}");
        bn.Training = false;
        int[] predicted;
        using (Autograd.NoGrad()) predicted = Logits().ArgMax();
        Assert.True(predicted.Zip(labels).Count(p => p.First == p.Second) >= n - 2);
    }

    [Fact]
    public void BadHyperParametersAreRejected()
    {
        var x = Tensor<double>.Zeros(1).WithRequiresGrad();
        Assert.Throws<InvalidParameterException>(() => new Sgd<double>([x], double.NaN));
        Assert.Throws<InvalidParameterException>(() => new Sgd<double>([x], 0.1, momentum: 1.0));
        Assert.Throws<InvalidParameterException>(() => new Adam<double>([x], -1));
        Assert.Throws<InvalidParameterException>(() => new Adam<double>([x], 0.1, beta2: 1));
        Assert.Throws<InvalidParameterException>(() => new Lbfgs<double>([Tensor<double>.Zeros(1)]));
        Assert.Throws<InvalidParameterException>(() => new Sgd<double>([], 0.1));
    }
}
