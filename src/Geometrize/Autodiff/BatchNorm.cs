using System.Numerics;

namespace Geometrize.Autodiff;

/// <summary>
/// Batch normalisation of features [batch, features]: y = γ ⊙ (x − μ)/√(σ² + ε) + β. In training μ, σ² are the
/// batch mean and (biased) variance and the running estimates move towards them (μ_run ← (1 − m)μ_run + m μ,
/// σ²_run with the unbiased batch variance, as PyTorch); in evaluation the running estimates are used.
/// Built from differentiable operations, so second derivatives through the batch statistics are exact.
/// </summary>
public sealed class BatchNorm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0 and running variance 1.</summary>
    public BatchNorm(int features, double momentum = 0.1, double epsilon = 1e-5)
    {
        if (features < 1) throw new InvalidParameterException("features", $"must be at least 1, got {features}.");
        if (!(momentum >= 0 && momentum <= 1)) throw new InvalidParameterException("momentum", $"must lie in [0, 1], got {momentum}.");
        if (!(epsilon > 0)) throw new InvalidParameterException("epsilon", $"must be positive, got {epsilon}.");
        Features = features;
        Momentum = momentum;
        Epsilon = epsilon;
        Gamma = Tensor<T>.Ones(features).WithRequiresGrad();
        Gamma.Name = "weight";
        Beta = Tensor<T>.Zeros(features).WithRequiresGrad();
        Beta.Name = "bias";
        RunningMean = Tensor<T>.Zeros(features);
        RunningVar = Tensor<T>.Ones(features);
    }

    /// <summary>Number of features (columns).</summary>
    public int Features { get; }
    /// <summary>Weight m of the new batch statistics in the running averages.</summary>
    public double Momentum { get; }
    /// <summary>ε added to the variance.</summary>
    public double Epsilon { get; }
    /// <summary>Scale γ [features] (trainable).</summary>
    public Tensor<T> Gamma { get; }
    /// <summary>Shift β [features] (trainable).</summary>
    public Tensor<T> Beta { get; }
    /// <summary>Running mean [features] (not trainable; updated by training-mode forward passes).</summary>
    public Tensor<T> RunningMean { get; }
    /// <summary>Running variance [features].</summary>
    public Tensor<T> RunningVar { get; }
    /// <summary>Training mode (batch statistics) when true, evaluation mode (running statistics) when false.</summary>
    public bool Training { get; set; } = true;
    /// <summary>The trainable tensors, γ then β.</summary>
    public IReadOnlyList<Tensor<T>> Parameters => [Gamma, Beta];

    /// <summary>Normalises x [batch, features] (inside a <see cref="ParameterOverride{T}"/> scope, with the scope's γ and β).</summary>
    /// <exception cref="ShapeMismatchException">x is not [batch, Features].</exception>
    /// <exception cref="InvalidParameterException">Training with a batch of one (its variance is undefined).</exception>
    public Tensor<T> Forward(Tensor<T> x)
    {
        if (x.Rank != 2 || x.Shape[1] != Features)
            throw new ShapeMismatchException($"batchNorm: input must be [batch, {Features}], got {Shapes.Format(x.shape)}.");
        int batch = x.Shape[0];
        T eps = T.CreateChecked(Epsilon);
        var gamma = ParameterOverride<T>.Resolve(Gamma);
        var beta = ParameterOverride<T>.Resolve(Beta);
        if (!Training)
        {
            var scale = TensorOps.Div(gamma, TensorOps.Sqrt(TensorOps.AddScalar(RunningVar, eps)));
            return TensorOps.Add(TensorOps.Mul(TensorOps.Sub(x, RunningMean), scale), beta);
        }
        if (batch < 2) throw new InvalidParameterException("batch", "batch normalisation in training mode needs at least 2 samples per batch.");
        var mean = TensorOps.Mean(x, 0, keepDim: true);
        var centred = TensorOps.Sub(x, mean);
        var variance = TensorOps.Mean(TensorOps.Square(centred), 0, keepDim: true);
        var xhat = TensorOps.Div(centred, TensorOps.Sqrt(TensorOps.AddScalar(variance, eps)));
        UpdateRunning(mean, variance, batch);
        return TensorOps.Add(TensorOps.Mul(xhat, gamma), beta);
    }

    private void UpdateRunning(Tensor<T> mean, Tensor<T> variance, int batch)
    {
        T m = T.CreateChecked(Momentum), keep = T.One - m, unbias = T.CreateChecked(batch / (batch - 1.0));
        var rm = RunningMean.Data;
        var rv = RunningVar.Data;
        for (int j = 0; j < Features; j++)
        {
            rm[j] = keep * rm[j] + m * mean.Data[j];
            rv[j] = keep * rv[j] + m * variance.Data[j] * unbias;
        }
    }
}
