using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>
/// The named tensors of a model in registration order: trainable parameters (also listed for the optimiser) and
/// buffers such as batch-norm running statistics. Names follow PyTorch's state-dict convention so that weight
/// files move between the two.
/// </summary>
internal sealed class ModelState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every named tensor, parameters and buffers.</summary>
    public List<NamedTensor<T>> State { get; } = [];
    /// <summary>The trainable tensors, in the order the optimiser sees them.</summary>
    public List<Tensor<T>> Parameters { get; } = [];

    /// <summary>Registers a trainable tensor under <paramref name="name"/> (and names the tensor).</summary>
    public void AddParameter(string name, Tensor<T> tensor)
    {
        tensor.Name = name;
        State.Add(new(name, tensor, true));
        Parameters.Add(tensor);
    }

    /// <summary>Registers <c>prefix.weight</c> and <c>prefix.bias</c> of a linear layer.</summary>
    public void AddLinear(string prefix, LinearLayer<T> layer)
    {
        AddParameter($"{prefix}.weight", layer.Weight);
        AddParameter($"{prefix}.bias", layer.Bias);
    }

    /// <summary>Registers a batch norm: <c>weight</c>, <c>bias</c> (trainable), <c>running_mean</c>, <c>running_var</c> (buffers).</summary>
    public void AddBatchNorm(string prefix, BatchNorm<T> norm)
    {
        AddParameter($"{prefix}.weight", norm.Gamma);
        AddParameter($"{prefix}.bias", norm.Beta);
        State.Add(new($"{prefix}.running_mean", norm.RunningMean, false));
        State.Add(new($"{prefix}.running_var", norm.RunningVar, false));
    }
}
