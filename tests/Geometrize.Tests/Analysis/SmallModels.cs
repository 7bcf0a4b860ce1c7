using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Tests.Analysis;

/// <summary>Tiny models written directly with TensorOps, so the analysis tests do not depend on the network classes.</summary>
internal static class SmallModels
{
    /// <summary>A d_in–h–c tanh MLP with biases (the 3-4-2 model has 26 parameters).</summary>
    public sealed class TanhMlp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public required Tensor<T> W1, B1, W2, B2;
        public Tensor<T>[] Parameters => [W1, B1, W2, B2];

        public static TanhMlp<T> Create(int input, int hidden, int classes, int seed)
        {
            var rng = new Random(seed);
            Tensor<T> P(params int[] s) => Tensor<T>.Randn(s, rng, std: 0.8).WithRequiresGrad();
            return new TanhMlp<T> { W1 = P(hidden, input), B1 = P(hidden), W2 = P(classes, hidden), B2 = P(classes) };
        }

        public Tensor<T> Logits(Tensor<T> x) => x.Linear(W1, B1).Tanh().Linear(W2, B2);
    }

    /// <summary>A bias-free ReLU MLP f = W_{L+1}σ(W_L ⋯ σ(W_1x)), positively homogeneous of degree L + 1 in θ.</summary>
    public sealed class ReluNet<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public required Tensor<T>[] Weights;
        public int HiddenLayers => Weights.Length - 1;

        public static ReluNet<T> Create(int[] widths, int seed)
        {
            var rng = new Random(seed);
            var w = new Tensor<T>[widths.Length - 1];
            for (int l = 0; l < w.Length; l++)
                w[l] = Tensor<T>.Randn([widths[l + 1], widths[l]], rng, std: 1.2 / Math.Sqrt(widths[l])).WithRequiresGrad();
            return new ReluNet<T> { Weights = w };
        }

        public Tensor<T> Logits(Tensor<T> x)
        {
            var h = x;
            for (int l = 0; l < Weights.Length; l++)
            {
                h = h.Linear(Weights[l]);
                if (l + 1 < Weights.Length) h = h.Relu();
            }
            return h;
        }
    }

    public static (Tensor<double> X, int[] Labels) Data(int n, int d, int classes, int seed)
    {
        var rng = new Random(seed);
        return (Tensor<double>.Randn([n, d], rng), Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray());
    }
}
