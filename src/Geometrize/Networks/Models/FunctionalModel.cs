using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>
/// Evaluation of a model at parameters other than its own, for meta-learning steps that differentiate through an
/// update: ŷ = f(x; θ′) with θ′ any tensors of the parameters' shapes, typically graph expressions of θ.
/// </summary>
public static class FunctionalModel
{
    /// <summary>
    /// The model's outputs for x with <paramref name="parameters"/>[k] in place of <see cref="IModel{T}.Parameters"/>[k]
    /// (PyTorch's functional call). The model's own tensors are not changed; gradients flow into whatever the
    /// replacements are computed from. Buffers (batch-norm running statistics) are the model's own and a
    /// training-mode pass updates them as <see cref="IModel{T}.Forward"/> does.
    /// </summary>
    /// <exception cref="InvalidParameterException">The replacements do not match the parameters in number or shape, or
    /// the model read some parameter without resolving it (it cannot be evaluated at other parameters).</exception>
    public static Tensor<T> ForwardWith<T>(this IModel<T> model, Tensor<T> x, bool training, IReadOnlyList<Tensor<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = ParameterOverride<T>.Begin(model.Parameters, parameters);
        var y = model.Forward(x, training);
        if (scope.UnresolvedCount > 0)
            throw new InvalidParameterException("--model", $"the {ModelArchitecture.KindName(model.Architecture.Kind)} model used {scope.UnresolvedCount} of its {scope.Count} parameters directly rather than through its layers, so it cannot be evaluated at replaced parameters; use a model built from linear and batch-norm layers.");
        return y;
    }
}
