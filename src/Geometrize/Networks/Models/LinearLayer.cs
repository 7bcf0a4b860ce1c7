using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>
/// An affine layer y = x·Wᵀ + b with W stored [out, in] as PyTorch's <c>nn.Linear</c>, so weights move between the
/// two without transposing.
/// </summary>
public sealed class LinearLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Creates the layer with PyTorch's default initialisation: W and b uniform on [−1/√in, 1/√in), drawn from
    /// <paramref name="rng"/> (W row-major first, then b), so a seed fixes the network.
    /// </summary>
    public LinearLayer(int inputs, int outputs, Random rng)
    {
        if (inputs < 1 || outputs < 1) throw new InvalidParameterException("width", $"a linear layer needs at least one input and output, got {inputs} → {outputs}.");
        double bound = 1 / Math.Sqrt(inputs);
        Weight = Tensor<T>.Uniform([outputs, inputs], rng, -bound, bound).WithRequiresGrad();
        Bias = Tensor<T>.Uniform([outputs], rng, -bound, bound).WithRequiresGrad();
    }

    /// <summary>Number of inputs.</summary>
    public int Inputs => Weight.Shape[1];
    /// <summary>Number of outputs.</summary>
    public int Outputs => Weight.Shape[0];
    /// <summary>W [out, in].</summary>
    public Tensor<T> Weight { get; }
    /// <summary>b [out].</summary>
    public Tensor<T> Bias { get; }

    /// <summary>x·Wᵀ + b for x [batch, in] (inside a <see cref="ParameterOverride{T}"/> scope, with the scope's W and b).</summary>
    public Tensor<T> Forward(Tensor<T> x) => x.Linear(ParameterOverride<T>.Resolve(Weight), ParameterOverride<T>.Resolve(Bias));
}
