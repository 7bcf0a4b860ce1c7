using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>One named tensor of a model's state: a trainable parameter or a buffer (batch-norm running statistics).</summary>
/// <param name="Name">Name in the weights file, PyTorch style (<c>lift.weight</c>, <c>blocks.3.w1</c>, <c>head.bias</c>).</param>
/// <param name="Tensor">The live tensor.</param>
/// <param name="Trainable">True for parameters the optimiser updates, false for buffers.</param>
public readonly record struct NamedTensor<T>(string Name, Tensor<T> Tensor, bool Trainable) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A network mapping a batch of feature rows [batch, inputs] to outputs [batch, outputs] (class logits or regression
/// values), with its trainable parameters and an architecture description that rebuilds it.
/// </summary>
public interface IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The description that <see cref="ModelArchitecture.Create{T}"/> turns back into this network (with fresh weights).</summary>
    ModelArchitecture Architecture { get; }

    /// <summary>The trainable tensors, each once (tied weights appear once).</summary>
    IReadOnlyList<Tensor<T>> Parameters { get; }

    /// <summary>Every named tensor to save: parameters and buffers, in a fixed order.</summary>
    IReadOnlyList<NamedTensor<T>> State { get; }

    /// <summary>Number of trainable scalars.</summary>
    long ParameterCount => Parameters.Sum(p => (long)p.Length);

    /// <summary>
    /// The outputs for a batch x [batch, inputs]. <paramref name="training"/> selects batch statistics in batch
    /// normalisation (and updates the running estimates); evaluation uses the running estimates.
    /// </summary>
    Tensor<T> Forward(Tensor<T> x, bool training);
}
