using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>
/// Multi-layer perceptron: <see cref="ModelArchitecture.Depth"/> hidden layers of <see cref="ModelArchitecture.Width"/>
/// units, each x ← σ(BN(Wx + b)) (batch norm optional), then a linear head. Weights are drawn layer by layer from one
/// <see cref="Random"/> seeded with <see cref="ModelArchitecture.Seed"/> (see <see cref="LinearLayer{T}"/>).
/// Names: <c>layers.K.weight</c>, <c>layers.K.bias</c>, <c>layers.K.bn.*</c>, <c>head.weight</c>, <c>head.bias</c>.
/// </summary>
public sealed class Mlp<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LinearLayer<T>[] _layers;
    private readonly BatchNorm<T>[]? _norms;
    private readonly ModelState<T> _model = new();

    /// <summary>Builds the network (the architecture's kind is taken as MLP; Hidden and Tied are unused).</summary>
    public Mlp(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        Architecture = architecture with { Kind = ModelKind.Mlp };
        Architecture.Validate();
        var rng = new Random(Architecture.Seed);
        _layers = new LinearLayer<T>[Architecture.Depth];
        if (Architecture.BatchNorm) _norms = new BatchNorm<T>[Architecture.Depth];
        int inputs = Architecture.InputDimension;
        for (int k = 0; k < _layers.Length; k++)
        {
            _layers[k] = new LinearLayer<T>(inputs, Architecture.Width, rng);
            inputs = Architecture.Width;
            _model.AddLinear($"layers.{k}", _layers[k]);
            if (_norms == null) continue;
            _norms[k] = new BatchNorm<T>(Architecture.Width);
            _model.AddBatchNorm($"layers.{k}.bn", _norms[k]);
        }
        Head = new LinearLayer<T>(inputs, Architecture.OutputDimension, rng);
        _model.AddLinear("head", Head);
    }


    /// <inheritdoc />
    public ModelArchitecture Architecture { get; }
    /// <summary>The hidden layers.</summary>
    public IReadOnlyList<LinearLayer<T>> Layers => _layers;
    /// <summary>The output layer.</summary>
    public LinearLayer<T> Head { get; }
    /// <inheritdoc />
    public IReadOnlyList<Tensor<T>> Parameters => _model.Parameters;
    /// <inheritdoc />
    public IReadOnlyList<NamedTensor<T>> State => _model.State;

    /// <inheritdoc />
    public Tensor<T> Forward(Tensor<T> x, bool training)
    {
        for (int k = 0; k < _layers.Length; k++)
        {
            x = _layers[k].Forward(x);
            if (_norms != null)
            {
                _norms[k].Training = training;
                x = _norms[k].Forward(x);
            }
            x = Architecture.Activation.Apply(x);
        }
        return Head.Forward(x);
    }
}
