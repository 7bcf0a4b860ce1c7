using Geometrize.Autodiff;

namespace Geometrize.Benchmarks;

/// <summary>
/// The FlowNet-sized network the autodiff and analysis benchmarks share, written with tensor ops directly (so the
/// benchmarks measure the differentiation core, not the model classes): 784 → 64 lift, 20 residual blocks
/// x ← x + h·(W₂tanh(W₁x + b₁) + b₂), hidden width 64, 10-class head, a batch of 128 random inputs. Seeded.
/// </summary>
internal sealed class FlowNetFixture
{
    public const int Batch = 128, Input = 784, Width = 64, Blocks = 20, Classes = 10;

    public FlowNetFixture(Random rng)
    {
        Tensor<float> P(params int[] s) => Tensor<float>.Randn(s, rng, std: 1.0 / Math.Sqrt(s[^1])).WithRequiresGrad();
        X = Tensor<float>.Uniform([Batch, Input], rng);
        Labels = Enumerable.Range(0, Batch).Select(_ => rng.Next(Classes)).ToArray();
        Lift = P(Width, Input);
        LiftBias = P(Width);
        W1 = Enumerable.Range(0, Blocks).Select(_ => P(Width, Width)).ToArray();
        B1 = Enumerable.Range(0, Blocks).Select(_ => P(Width)).ToArray();
        W2 = Enumerable.Range(0, Blocks).Select(_ => P(Width, Width)).ToArray();
        B2 = Enumerable.Range(0, Blocks).Select(_ => P(Width)).ToArray();
        Head = P(Classes, Width);
        HeadBias = P(Classes);
        Parameters = new[] { Lift, LiftBias, Head, HeadBias }.Concat(W1).Concat(B1).Concat(W2).Concat(B2).ToArray();
    }

    public Tensor<float> X { get; }
    public int[] Labels { get; }
    public Tensor<float> Lift { get; }
    public Tensor<float> LiftBias { get; }
    public Tensor<float>[] W1 { get; }
    public Tensor<float>[] B1 { get; }
    public Tensor<float>[] W2 { get; }
    public Tensor<float>[] B2 { get; }
    public Tensor<float> Head { get; }
    public Tensor<float> HeadBias { get; }
    public Tensor<float>[] Parameters { get; }

    /// <summary>The residual blocks applied to lifted states.</summary>
    public Tensor<float> Flow(Tensor<float> h)
    {
        const float step = 1f / Blocks;
        for (int k = 0; k < Blocks; k++)
            h = h + h.Linear(W1[k], B1[k]).Tanh().Linear(W2[k], B2[k]) * step;
        return h;
    }

    /// <summary>Mean cross-entropy of the whole network on the batch.</summary>
    public Tensor<float> Loss() => Flow(X.Linear(Lift, LiftBias)).Linear(Head, HeadBias).CrossEntropy(Labels);
}
