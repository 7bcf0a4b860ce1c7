using System.Numerics;

namespace Geometrize.Networks.Models;

/// <summary>The network families.</summary>
public enum ModelKind
{
    /// <summary>Residual network read as the Euler scheme of a flow: x ← x + h·f(x; θ_k), h = 1/N.</summary>
    FlowNet,
    /// <summary>The same blocks without the skip connection: x ← f(x; θ_k).</summary>
    PlainNet,
    /// <summary>Multi-layer perceptron: Depth hidden layers of Width units.</summary>
    Mlp,
    /// <summary>One affine map to the outputs (multinomial logistic regression, or linear regression).</summary>
    LogisticRegression,
}

/// <summary>
/// Everything that fixes a network's shape and initial weights; stored in <c>model.json</c> so that a saved model can
/// be rebuilt. Width is the state (feature) dimension of flow/plain networks and the hidden layer width of an MLP;
/// Hidden is the inner width of a block f (flow/plain only); Depth is the number of blocks N (flow/plain) or hidden
/// layers (MLP).
/// </summary>
public sealed record ModelArchitecture
{
    /// <summary>Network family.</summary>
    public ModelKind Kind { get; init; } = ModelKind.FlowNet;
    /// <summary>Input features per sample.</summary>
    public int InputDimension { get; init; }
    /// <summary>Outputs per sample (classes, or regression targets).</summary>
    public int OutputDimension { get; init; }
    /// <summary>State width (flow/plain) or hidden layer width (MLP).</summary>
    public int Width { get; init; } = 16;
    /// <summary>Inner width of a block f = W₂σ(W₁x + b₁) + b₂ (flow/plain).</summary>
    public int Hidden { get; init; } = 16;
    /// <summary>Number of blocks N (flow/plain) or hidden layers (MLP).</summary>
    public int Depth { get; init; } = 10;
    /// <summary>Nonlinearity σ.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;
    /// <summary>Batch normalisation of W₁x + b₁ inside every block (flow/plain), or after every hidden layer (MLP).</summary>
    public bool BatchNorm { get; init; }
    /// <summary>One set of block weights shared by all depths (an autonomous flow) instead of one per block.</summary>
    public bool Tied { get; init; }
    /// <summary>Seed of the initial weights.</summary>
    public int Seed { get; init; }

    /// <summary>The command-line and JSON name of a family: flownet, plainnet, mlp, logreg.</summary>
    public static string KindName(ModelKind kind) => kind switch
    {
        ModelKind.FlowNet => "flownet",
        ModelKind.PlainNet => "plainnet",
        ModelKind.Mlp => "mlp",
        _ => "logreg",
    };

    /// <summary>Parses flownet, plainnet, mlp or logreg (case-insensitive).</summary>
    /// <exception cref="InvalidParameterException">Any other text.</exception>
    public static ModelKind ParseKind(string text, string option = "--model") => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "flownet" => ModelKind.FlowNet,
        "plainnet" => ModelKind.PlainNet,
        "mlp" => ModelKind.Mlp,
        "logreg" => ModelKind.LogisticRegression,
        _ => throw new InvalidParameterException(option, $"unknown model '{text}'; use flownet, plainnet, mlp or logreg."),
    };

    /// <summary>Checks every size.</summary>
    /// <exception cref="InvalidParameterException">A size is out of range; the message names the option.</exception>
    public void Validate()
    {
        if (InputDimension < 1) throw new InvalidParameterException("inputs", $"the model needs at least one input feature, got {InputDimension}.");
        if (OutputDimension < 1) throw new InvalidParameterException("outputs", $"the model needs at least one output, got {OutputDimension}.");
        if (Kind == ModelKind.LogisticRegression) return;
        if (Width < 1 || Width > 1 << 16) throw new InvalidParameterException("--width", $"must be in [1, 65536], got {Width}.");
        if (Depth < 1 || Depth > 10_000) throw new InvalidParameterException("--depth", $"must be in [1, 10000], got {Depth}.");
        if (Kind is ModelKind.FlowNet or ModelKind.PlainNet && (Hidden < 1 || Hidden > 1 << 16))
            throw new InvalidParameterException("--hidden", $"must be in [1, 65536], got {Hidden}.");
    }

    /// <summary>Builds the network with fresh weights drawn from <see cref="Seed"/>.</summary>
    public IModel<T> Create<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate();
        return Kind switch
        {
            ModelKind.FlowNet => new FlowNet<T>(this),
            ModelKind.PlainNet => new PlainNet<T>(this),
            ModelKind.Mlp => new Mlp<T>(this),
            _ => new LogisticRegression<T>(this),
        };
    }
}
