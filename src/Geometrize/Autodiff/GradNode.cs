using System.Numerics;

namespace Geometrize.Autodiff;

/// <summary>
/// Backward rule of one operation: given the gradient of the loss with respect to the operation's output, returns
/// the gradient with respect to each input for which <paramref name="needsGrad"/> is true (null for the others).
/// The rule is written with differentiable tensor operations, so when the backward pass runs with graph recording
/// on, its result is itself part of a graph and can be differentiated again (double backward).
/// </summary>
internal delegate Tensor<T>?[] BackwardRule<T>(Tensor<T> gradOutput, bool[] needsGrad)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The record an operation leaves on its output: what it was, its inputs and its backward rule.</summary>
internal sealed class GradNode<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public GradNode(string op, Tensor<T>[] inputs, BackwardRule<T> backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
    }

    /// <summary>Operation name, for messages and debugging.</summary>
    public string Op { get; }

    /// <summary>Operands of the operation, in the order the backward rule returns gradients.</summary>
    public Tensor<T>[] Inputs { get; }

    /// <summary>The vector–Jacobian product of the operation.</summary>
    public BackwardRule<T> Backward { get; }
}
