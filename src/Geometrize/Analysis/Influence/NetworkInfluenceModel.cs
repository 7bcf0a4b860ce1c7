using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;

namespace Geometrize.Analysis.Influence;

/// <summary>The per-example loss ℓ(z, θ) influence is measured in.</summary>
public enum InfluenceLoss
{
    /// <summary>−log softmax(f(x))[y], the loss <c>net train</c> minimises for classification.</summary>
    CrossEntropy,
    /// <summary>(1/m) Σ_j (f_j(x) − y_j)², the per-example share of the mean squared error <c>net train</c> minimises for regression.</summary>
    SquaredError,
}

/// <summary>Where the L2 coefficient λ of the influence risk came from (see <see cref="NetworkInfluenceModel{T}.RegularisationFor"/>).</summary>
/// <param name="Value">λ in (λ/2)‖θ‖².</param>
/// <param name="Source">"option" (given explicitly), "weight-decay" (SGD or L-BFGS: the coupled L2 penalty the model was trained with),
/// "adamw-weight-decay" (AdamW's decoupled decay taken as λ: an approximation) or "none" (no decay known).</param>
/// <param name="Note">A caveat for the user, or null.</param>
public sealed record RegularisationChoice(double Value, string Source, string? Note);

/// <summary>
/// Any trained network of <see cref="IModel{T}"/> (MLP, flow network, plain network, multinomial logistic regression) as
/// an influence model: θ is the network's trainable tensors and ℓ(z, θ) the training loss of one example, written
/// with tensor operations so that <see cref="EmpiricalRisk{T}"/> gets per-example gradients and exact Hessian–vector
/// products from <see cref="Autograd"/>. Influence functions describe the function the trained model computes at
/// test time, so the forward pass runs in evaluation mode: batch normalisation uses its running statistics (fixed
/// buffers, not parameters), which also keeps each example's loss independent of the others in its batch.
/// Use double models: the solvers iterate to tolerances below float32 resolution.
/// </summary>
public sealed class NetworkInfluenceModel<T> : IInfluenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps <paramref name="network"/>; marks its parameters as requiring gradients.</summary>
    /// <param name="network">The trained network (its parameters hold θ̂).</param>
    /// <param name="loss">The per-example loss (use <see cref="LossFor"/> to match the training loss of a dataset).</param>
    public NetworkInfluenceModel(IModel<T> network, InfluenceLoss loss)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!Enum.IsDefined(loss)) throw new InvalidParameterException("loss", $"unknown loss {loss}.");
        Network = network;
        Loss = loss;
        foreach (var p in network.Parameters) p.RequiresGrad = true;
    }

    /// <summary>The wrapped network.</summary>
    public IModel<T> Network { get; }

    /// <summary>The per-example loss.</summary>
    public InfluenceLoss Loss { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Tensor<T>> Parameters => Network.Parameters;

    /// <inheritdoc/>
    public int InputDimension => Network.Architecture.InputDimension;

    /// <summary>Number of network outputs (classes or regression targets).</summary>
    public int OutputDimension => Network.Architecture.OutputDimension;

    /// <summary>The loss <c>net train</c> uses for <paramref name="task"/>.</summary>
    public static InfluenceLoss LossFor(LearningTask task) => task == LearningTask.Classification ? InfluenceLoss.CrossEntropy : InfluenceLoss.SquaredError;

    /// <summary>
    /// λ for the influence risk: <paramref name="l2"/> when given; otherwise the training weight decay. With SGD and
    /// L-BFGS that decay is the coupled L2 term (λ/2)‖θ‖² of the objective the model minimised, so θ̂ is a stationary
    /// point of the very risk whose Hessian is inverted. AdamW's decay is decoupled (θ ← θ − ηλθ outside the adaptive
    /// step) and minimises no L2-regularised risk; its value is still the natural λ (same units, same pull towards 0),
    /// so it is used, with a note that θ̂ is only approximately stationary and damping may be needed.
    /// </summary>
    /// <exception cref="InvalidParameterException">The given λ is negative or not finite.</exception>
    public static RegularisationChoice RegularisationFor(TrainingSettings? training, double? l2)
    {
        if (l2 is double given)
        {
            if (!(given >= 0) || !double.IsFinite(given)) throw new InvalidParameterException("--l2", $"must be finite and ≥ 0, got {given}.");
            return new RegularisationChoice(given, "option", null);
        }
        if (training is null || training.WeightDecay == 0)
            return new RegularisationChoice(0, "none",
                "the model was trained without weight decay, so λ = 0: the Hessian of an unregularised network is usually singular; pass --damping or --l2.");
        if (training.Optimizer == OptimizerKind.Adam)
            return new RegularisationChoice(training.WeightDecay, "adamw-weight-decay",
                $"the model was trained with AdamW's decoupled weight decay {training.WeightDecay}, which minimises no L2-regularised risk; λ = {training.WeightDecay} is used as its closest L2 analogue, so θ̂ is only approximately a minimum (see gradientNorm) — pass --l2 to choose λ.");
        return new RegularisationChoice(training.WeightDecay, "weight-decay", null);
    }

    /// <inheritdoc/>
    public Tensor<T> ExampleLosses(Dataset data, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        CheckData(data);
        var x = Tensor<T>.Zeros(indices.Length, InputDimension);
        data.Gather<T>(indices, x.Data);
        var output = Network.Forward(x, training: false);
        if (Loss == InfluenceLoss.CrossEntropy)
        {
            var labels = new int[indices.Length];
            for (int k = 0; k < indices.Length; k++) labels[k] = data.Label(indices[k]);
            return TensorOps.Neg(TensorOps.Pick(TensorOps.LogSoftmax(output), labels));
        }
        var target = Tensor<T>.Zeros(indices.Length, OutputDimension);
        data.GatherTargets<T>(indices, target.Data);
        return TensorOps.Mean(TensorOps.Square(output - target), 1);
    }

    /// <summary>Throws when <paramref name="data"/> does not fit the network's inputs, outputs or loss.</summary>
    /// <exception cref="InvalidParameterException">Feature size, class count, target size or task differ.</exception>
    public void CheckData(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureDimension != InputDimension)
            throw new InvalidParameterException("--data", $"dataset '{data.Name}' has {data.FeatureDimension} features per sample but the model expects {InputDimension}; use the data the model was trained on.");
        if (Loss == InfluenceLoss.CrossEntropy)
        {
            if (data.Task != LearningTask.Classification)
                throw new InvalidParameterException("--data", $"dataset '{data.Name}' has real targets but the model is a classifier (cross-entropy loss).");
            if (data.ClassCount > OutputDimension)
                throw new InvalidParameterException("--data", $"dataset '{data.Name}' has {data.ClassCount} classes but the model has {OutputDimension} outputs.");
        }
        else
        {
            if (data.Task != LearningTask.Regression)
                throw new InvalidParameterException("--data", $"dataset '{data.Name}' has class labels but the model is a regressor (squared-error loss).");
            if (data.TargetDimension != OutputDimension)
                throw new InvalidParameterException("--data", $"dataset '{data.Name}' has {data.TargetDimension} targets per sample but the model has {OutputDimension} outputs.");
        }
    }
}
