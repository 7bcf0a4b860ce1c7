namespace Geometrize.Networks.Training;

/// <summary>The optimisers a <see cref="Trainer{T}"/> can use.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with momentum (<see cref="Optimizers.Sgd{T}"/>, L2 weight decay).</summary>
    Sgd,
    /// <summary>Adam; with weight decay, AdamW's decoupled decay (<see cref="Optimizers.Adam{T}"/>).</summary>
    Adam,
    /// <summary>Full-batch L-BFGS with a strong-Wolfe line search (<see cref="Optimizers.Lbfgs{T}"/>); one call per epoch.</summary>
    Lbfgs,
}

/// <summary>How the gradient of a flow network is computed.</summary>
public enum GradientMethod
{
    /// <summary>Back-propagation through the discrete flow: the exact gradient of the network's loss (discrete adjoint).</summary>
    Discrete,
    /// <summary>The continuous adjoint integrated backwards with RK4 (<see cref="Models.FlowNetAdjoint.ContinuousBackward{T}"/>); flow networks only.</summary>
    Continuous,
}

/// <summary>Settings of one training run; stored in <c>model.json</c>.</summary>
public sealed record TrainingSettings
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Samples per mini-batch (ignored by L-BFGS, which is full-batch).</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Learning rate (L-BFGS: initial trial step of each line search).</summary>
    public double LearningRate { get; init; } = 1e-2;
    /// <summary>Weight decay: L2 penalty coefficient (SGD, L-BFGS) or AdamW's decoupled decay (Adam).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Momentum of SGD.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>
    /// Weight W of the kinetic-energy regulariser W·½Σ_k h·E‖f_k‖² added to the loss (flow and plain networks only;
    /// see <see cref="Models.BlockNetwork{T}.KineticEnergy"/>); 0 (the default) trains without it.
    /// </summary>
    public double KineticEnergyWeight { get; init; }
    /// <summary>L-BFGS iterations per epoch.</summary>
    public int LbfgsIterations { get; init; } = 20;
    /// <summary>Seed of the mini-batch order.</summary>
    public int Seed { get; init; }
    /// <summary>Gradient of flow networks: back-propagation or continuous adjoint.</summary>
    public GradientMethod Gradient { get; init; } = GradientMethod.Discrete;

    /// <summary>The command-line and JSON name of an optimiser: sgd, adam, lbfgs.</summary>
    public static string OptimizerName(OptimizerKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses sgd, adam or lbfgs.</summary>
    /// <exception cref="InvalidParameterException">Any other text.</exception>
    public static OptimizerKind ParseOptimizer(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "adam" => OptimizerKind.Adam,
        "lbfgs" or "l-bfgs" => OptimizerKind.Lbfgs,
        _ => throw new InvalidParameterException("--optimizer", $"unknown optimiser '{text}'; use sgd, adam or lbfgs."),
    };

    /// <summary>Parses discrete or continuous.</summary>
    /// <exception cref="InvalidParameterException">Any other text.</exception>
    public static GradientMethod ParseGradient(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "discrete" or "backprop" => GradientMethod.Discrete,
        "continuous" => GradientMethod.Continuous,
        _ => throw new InvalidParameterException("--adjoint", $"unknown adjoint '{text}'; use discrete (back-propagation) or continuous."),
    };

    /// <summary>Checks every value.</summary>
    /// <exception cref="InvalidParameterException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        if (Epochs < 1 || Epochs > 1_000_000) throw new InvalidParameterException("--epochs", $"must be in [1, 1000000], got {Epochs}.");
        if (BatchSize < 1) throw new InvalidParameterException("--batch", $"must be at least 1, got {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new InvalidParameterException("--lr", $"the learning rate must be positive and finite, got {LearningRate}.");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new InvalidParameterException("--weight-decay", $"must be zero or positive and finite, got {WeightDecay}.");
        if (!(KineticEnergyWeight >= 0) || !double.IsFinite(KineticEnergyWeight)) throw new InvalidParameterException("--kinetic-energy", $"must be zero or positive and finite, got {KineticEnergyWeight}.");
        if (KineticEnergyWeight > 0 && Gradient == GradientMethod.Continuous)
            throw new InvalidParameterException("--kinetic-energy", "the continuous adjoint differentiates the output loss only; use --adjoint discrete with --kinetic-energy.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new InvalidParameterException("--momentum", $"must lie in [0, 1), got {Momentum}.");
        if (LbfgsIterations < 1) throw new InvalidParameterException("--lbfgs-iterations", $"must be at least 1, got {LbfgsIterations}.");
        if (Optimizer == OptimizerKind.Lbfgs && Gradient == GradientMethod.Continuous)
            throw new InvalidParameterException("--adjoint", "L-BFGS differentiates its loss by back-propagation; use --adjoint discrete with --optimizer lbfgs, or another optimiser.");
    }
}
