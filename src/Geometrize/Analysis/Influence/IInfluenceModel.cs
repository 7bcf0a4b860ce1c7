using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// What influence functions need from a trained model: its parameters θ (a list of tensors requiring gradients,
/// holding θ̂ after training) and the per-example loss ℓ(z, θ) as a differentiable tensor expression. Gradients and
/// Hessian–vector products then come from <see cref="Autograd"/>, so any model written with the tensor operations
/// qualifies without further code; <see cref="IClosedFormInfluenceModel{T}"/> adds faster closed forms where they exist.
/// </summary>
/// <typeparam name="T">Element type of the parameters (double for validation; float works at float accuracy).</typeparam>
public interface IInfluenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The parameter tensors, in the order their entries are flattened into θ.</summary>
    IReadOnlyList<Tensor<T>> Parameters { get; }

    /// <summary>Number of input features the model expects; datasets must have this feature dimension.</summary>
    int InputDimension { get; }

    /// <summary>
    /// ℓ(z_i, θ) for the samples <paramref name="indices"/> of <paramref name="data"/>, shape [indices.Length],
    /// recorded on the graph (no reduction, no regularisation: <see cref="EmpiricalRisk{T}"/> adds those).
    /// </summary>
    Tensor<T> ExampleLosses(Dataset data, int[] indices);
}

/// <summary>
/// A model whose per-example gradients and Hessians have closed forms (linear and generalised linear models).
/// <see cref="EmpiricalRisk{T}"/> uses them instead of one backward pass per example and p Hessian–vector products.
/// All results are in double and use the parameter order of <see cref="IInfluenceModel{T}.Parameters"/>.
/// </summary>
public interface IClosedFormInfluenceModel<T> : IInfluenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Writes ℓ(z_i, θ) for each index into <paramref name="losses"/>, in double.</summary>
    void ExampleLossValues(Dataset data, ReadOnlySpan<int> indices, Span<double> losses);

    /// <summary>Writes ∇_θ ℓ(z_i, θ) for each index as consecutive rows of length p into <paramref name="gradients"/>.</summary>
    void ExampleGradients(Dataset data, ReadOnlySpan<int> indices, Span<double> gradients);

    /// <summary>Writes Σ_k w_k ∇²_θ ℓ(z_{indices[k]}, θ)·v into <paramref name="product"/> (a sum, not a mean).</summary>
    void HessianVectorProduct(Dataset data, ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, ReadOnlySpan<double> v, Span<double> product);

    /// <summary>Writes Σ_k w_k ∇²_θ ℓ(z_{indices[k]}, θ), row-major p×p, into <paramref name="hessian"/> (a sum, not a mean).</summary>
    void Hessian(Dataset data, ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, Span<double> hessian);
}
