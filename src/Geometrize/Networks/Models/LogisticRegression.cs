using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>
/// One affine map x ↦ Wx + b to the outputs: with cross-entropy, multinomial logistic regression; with squared error,
/// linear regression. Names <c>head.weight</c>, <c>head.bias</c>.
/// </summary>
public sealed class LogisticRegression<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the model with weights drawn from <see cref="ModelArchitecture.Seed"/>.</summary>
    public LogisticRegression(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        Architecture = architecture with { Kind = ModelKind.LogisticRegression };
        Architecture.Validate();
        Head = new LinearLayer<T>(Architecture.InputDimension, Architecture.OutputDimension, new Random(Architecture.Seed));
        Head.Weight.Name = "head.weight";
        Head.Bias.Name = "head.bias";
        State = [new("head.weight", Head.Weight, true), new("head.bias", Head.Bias, true)];
        Parameters = [Head.Weight, Head.Bias];
    }

    /// <inheritdoc />
    public ModelArchitecture Architecture { get; }
    /// <summary>The affine map.</summary>
    public LinearLayer<T> Head { get; }
    /// <inheritdoc />
    public IReadOnlyList<Tensor<T>> Parameters { get; }
    /// <inheritdoc />
    public IReadOnlyList<NamedTensor<T>> State { get; }

    /// <inheritdoc />
    public Tensor<T> Forward(Tensor<T> x, bool training) => Head.Forward(x);
}
