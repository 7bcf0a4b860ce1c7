using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

/// <summary>Whole-model checks: Taylor test of a small MLP loss, second-order Taylor with the HVP, float vs double.</summary>
public class NetworkGradientTests
{
    private sealed class Mlp<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        public Tensor<T> W1 = null!, B1 = null!, W2 = null!, B2 = null!;
        public Tensor<T>[] Parameters => [W1, B1, W2, B2];

        public static Mlp<T> Create(int seed)
        {
            var rng = new Random(seed);
            Tensor<T> P(params int[] s) => Tensor<T>.Randn(s, rng, std: 0.7).WithRequiresGrad();
            return new Mlp<T> { W1 = P(8, 2), B1 = P(8), W2 = P(3, 8), B2 = P(3) };
        }

        public Tensor<T> Loss(Tensor<T> x, int[] labels) => x.Linear(W1, B1).Tanh().Linear(W2, B2).CrossEntropy(labels);
    }

    private static (Tensor<double> X, int[] Labels) Data()
    {
        var rng = new Random(11);
        return (Tensor<double>.Randn([10, 2], rng), Enumerable.Range(0, 10).Select(_ => rng.Next(3)).ToArray());
    }

    [Fact]
    public void TaylorRemainderDecaysQuadraticallyOverSeveralDecades()
    {
        var (x, labels) = Data();
        var net = Mlp<double>.Create(3);
        var p = net.Parameters;
        var rng = new Random(5);
        var delta = p.Select(t => Tensor<double>.Randn(t.Shape.ToArray(), rng)).ToArray();
        var grads = Autograd.Grad(net.Loss(x, labels), p);
        double slope = 0;
        for (int k = 0; k < p.Length; k++) for (int i = 0; i < p[k].Length; i++) slope += grads[k].Data[i] * delta[k].Data[i];
        var hd = Autograd.HessianVectorProduct(() => net.Loss(x, labels), p, delta);
        double curvature = 0;
        for (int k = 0; k < p.Length; k++) for (int i = 0; i < p[k].Length; i++) curvature += hd[k].Data[i] * delta[k].Data[i];
        double l0 = net.Loss(x, labels).Item();
        var first = new List<double>();
        var second = new List<double>();
        foreach (double eps in new[] { 1e-1, 1e-2, 1e-3, 1e-4 })
        {
            double le = Shifted(net, p, delta, eps, () => net.Loss(x, labels).Item());
            first.Add(Math.Abs(le - l0 - eps * slope));
            second.Add(Math.Abs(le - l0 - eps * slope - 0.5 * eps * eps * curvature));
        }
        for (int i = 0; i + 1 < first.Count; i++)
        {
            double order1 = Math.Log10(first[i] / first[i + 1]);
            Assert.InRange(order1, 1.8, 2.2); // remainder ∝ ε²: the gradient is exact
        }
        for (int i = 0; i + 1 < 3; i++)
        {
            double order2 = Math.Log10(second[i] / second[i + 1]);
            Assert.InRange(order2, 2.7, 3.3); // remainder ∝ ε³: the Hessian–vector product is exact
        }
    }

    private static double Shifted(Mlp<double> net, Tensor<double>[] p, Tensor<double>[] delta, double eps, Func<double> eval)
    {
        var saved = p.Select(t => t.ToArray()).ToArray();
        for (int k = 0; k < p.Length; k++) for (int i = 0; i < p[k].Length; i++) p[k].Data[i] += eps * delta[k].Data[i];
        double v = eval();
        for (int k = 0; k < p.Length; k++) saved[k].CopyTo(p[k].Data, 0);
        return v;
    }

    [Fact]
    public void FloatGradientsAgreeWithDouble()
    {
        var (x, labels) = Data();
        var nd = Mlp<double>.Create(4);
        var nf = Mlp<float>.Create(4);
        var xf = Tensor<float>.FromArray([10, 2], x.Data.Select(v => (float)v).ToArray());
        var gd = Autograd.Grad(nd.Loss(x, labels), nd.Parameters);
        var gf = Autograd.Grad(nf.Loss(xf, labels), nf.Parameters);
        var hd = Autograd.HessianVectorProduct(() => nd.Loss(x, labels), nd.Parameters, nd.Parameters.Select(t => Tensor<double>.Ones(t.Shape.ToArray())).ToArray());
        var hf = Autograd.HessianVectorProduct(() => nf.Loss(xf, labels), nf.Parameters, nf.Parameters.Select(t => Tensor<float>.Ones(t.Shape.ToArray())).ToArray());
        for (int k = 0; k < gd.Length; k++)
            for (int i = 0; i < gd[k].Length; i++)
            {
                Assert.Equal(gd[k].Data[i], gf[k].Data[i], 2e-5);
                Assert.Equal(hd[k].Data[i], hf[k].Data[i], 1e-4);
            }
    }
}
