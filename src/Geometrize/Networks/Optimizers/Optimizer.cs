using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Optimizers;

/// <summary>
/// A first-order optimiser over a list of parameter tensors: <see cref="Step"/> reads each parameter's
/// <see cref="Tensor{T}.Grad"/> (filled by <see cref="Tensor{T}.Backward"/>) and updates its data in place.
/// Parameters without a gradient are left unchanged.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _learningRate;

    /// <summary>Validates and stores the parameter list and learning rate.</summary>
    protected Optimizer(IReadOnlyList<Tensor<T>> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0) throw new InvalidParameterException("parameters", "the optimiser was given no parameters.");
        Parameters = parameters.ToArray();
        LearningRate = learningRate;
    }

    /// <summary>The tensors updated in place.</summary>
    public IReadOnlyList<Tensor<T>> Parameters { get; }

    /// <summary>Step size; may be changed between steps (schedules).</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value > 0) || !double.IsFinite(value)) throw new InvalidParameterException("--lr", $"the learning rate must be positive and finite, got {value}.");
            _learningRate = value;
        }
    }

    /// <summary>Clears every parameter's gradient (call before each backward pass: gradients accumulate).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad = null;
    }

    /// <summary>Applies one update from the current gradients.</summary>
    public abstract void Step();

    /// <summary>Checks a non-negative, finite hyper-parameter.</summary>
    protected static double NonNegative(string name, double value)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new InvalidParameterException(name, $"must be zero or positive and finite, got {value}.");
        return value;
    }
}
