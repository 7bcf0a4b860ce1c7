using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>The weights θ_k = (W₁, b₁, W₂, b₂) of one block f(x; θ_k) = W₂σ(W₁x + b₁) + b₂.</summary>
public sealed class FlowBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the block with PyTorch's default initialisation (see <see cref="LinearLayer{T}"/>), W₁ b₁ then W₂ b₂.</summary>
    public FlowBlock(int width, int hidden, Random rng)
    {
        Inner = new LinearLayer<T>(width, hidden, rng);
        Outer = new LinearLayer<T>(hidden, width, rng);
    }

    /// <summary>x ↦ W₁x + b₁ (W₁ is [hidden, width]).</summary>
    public LinearLayer<T> Inner { get; }
    /// <summary>a ↦ W₂a + b₂ (W₂ is [width, hidden]).</summary>
    public LinearLayer<T> Outer { get; }
    /// <summary>W₁ [hidden, width].</summary>
    public Tensor<T> W1 => Inner.Weight;
    /// <summary>b₁ [hidden].</summary>
    public Tensor<T> B1 => Inner.Bias;
    /// <summary>W₂ [width, hidden].</summary>
    public Tensor<T> W2 => Outer.Weight;
    /// <summary>b₂ [width].</summary>
    public Tensor<T> B2 => Outer.Bias;
    /// <summary>θ_k in the order W₁, b₁, W₂, b₂.</summary>
    public IReadOnlyList<Tensor<T>> Parameters => [W1, B1, W2, B2];
}

/// <summary>
/// lift (linear, inputs → width) → N blocks → head (linear, width → outputs). <see cref="FlowNet{T}"/> steps
/// x ← x + h·f(x; θ_k) with h = 1/N, the explicit Euler scheme of ẋ = v_t(x) on [0, 1] with v_t = f(·; θ_k) for
/// t ∈ [k/N, (k+1)/N); <see cref="PlainNet{T}"/> steps x ← f(x; θ_k).
/// </summary>
/// <remarks>
/// Weights: lift, then the blocks in depth order (one block when tied), then the head, each drawn by
/// <see cref="LinearLayer{T}"/> from one <see cref="Random"/> seeded with <see cref="ModelArchitecture.Seed"/>.
/// Batch normalisation, when on, normalises W₁x + b₁ before σ; each depth has its own batch-norm layer (its own γ, β
/// and running statistics) even with tied weights, because the state's statistics change along the flow.
/// Names in the weights file: <c>lift.weight</c>, <c>lift.bias</c>, <c>blocks.K.w1</c>, <c>.b1</c>, <c>.w2</c>,
/// <c>.b2</c> (tied: <c>blocks.w1</c> …), <c>blocks.K.bn.weight</c>, <c>.bias</c>, <c>.running_mean</c>,
/// <c>.running_var</c>, <c>head.weight</c>, <c>head.bias</c>.
/// </remarks>
public abstract class BlockNetwork<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FlowBlock<T>[] _blocks;
    private readonly BatchNorm<T>[]? _norms;
    private readonly ModelState<T> _model = new();
    private readonly Tensor<T>?[] _velocities;

    /// <summary>Builds the layers from <paramref name="architecture"/>.</summary>
    protected BlockNetwork(ModelArchitecture architecture, bool residual)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.Validate();
        Architecture = architecture;
        Residual = residual;
        Depth = architecture.Depth;
        StepSize = T.One / T.CreateChecked(Depth);
        var rng = new Random(architecture.Seed);
        Lift = new LinearLayer<T>(architecture.InputDimension, architecture.Width, rng);
        _model.AddLinear("lift", Lift);
        _blocks = new FlowBlock<T>[Depth];
        _velocities = new Tensor<T>?[Depth];
        for (int k = 0; k < Depth; k++)
        {
            if (architecture.Tied && k > 0) { _blocks[k] = _blocks[0]; continue; }
            _blocks[k] = new FlowBlock<T>(architecture.Width, architecture.Hidden, rng);
            string prefix = architecture.Tied ? "blocks." : $"blocks.{k}.";
            _model.AddParameter(prefix + "w1", _blocks[k].W1);
            _model.AddParameter(prefix + "b1", _blocks[k].B1);
            _model.AddParameter(prefix + "w2", _blocks[k].W2);
            _model.AddParameter(prefix + "b2", _blocks[k].B2);
        }
        if (architecture.BatchNorm)
        {
            _norms = new BatchNorm<T>[Depth];
            for (int k = 0; k < Depth; k++)
            {
                _norms[k] = new BatchNorm<T>(architecture.Hidden);
                _model.AddBatchNorm($"blocks.{k}.bn", _norms[k]);
            }
        }
        Head = new LinearLayer<T>(architecture.Width, architecture.OutputDimension, rng);
        _model.AddLinear("head", Head);
    }


    /// <inheritdoc />
    public ModelArchitecture Architecture { get; }
    /// <summary>True for x ← x + h·f (flow), false for x ← f (plain).</summary>
    public bool Residual { get; }
    /// <summary>Number of blocks N.</summary>
    public int Depth { get; }
    /// <summary>h = 1/N.</summary>
    public T StepSize { get; }
    /// <summary>The lift, inputs → width.</summary>
    public LinearLayer<T> Lift { get; }
    /// <summary>The head, width → outputs.</summary>
    public LinearLayer<T> Head { get; }
    /// <summary>Block weights by depth (the same object at every depth when tied).</summary>
    public IReadOnlyList<FlowBlock<T>> Blocks => _blocks;
    /// <summary>Batch-norm layer by depth, or null without batch normalisation.</summary>
    public IReadOnlyList<BatchNorm<T>>? Norms => _norms;
    /// <summary>The activation σ.</summary>
    public Activation Activation => Architecture.Activation;
    /// <inheritdoc />
    public IReadOnlyList<Tensor<T>> Parameters => _model.Parameters;
    /// <inheritdoc />
    public IReadOnlyList<NamedTensor<T>> State => _model.State;

    /// <summary>The trainable tensors that block k's velocity depends on: θ_k, then its batch-norm γ, β.</summary>
    public IReadOnlyList<Tensor<T>> BlockParameters(int k)
    {
        var p = new List<Tensor<T>>(_blocks[k].Parameters);
        if (_norms != null) p.AddRange(_norms[k].Parameters);
        return p;
    }

    /// <summary>The velocity f(x; θ_k) = W₂σ(BN(W₁x + b₁)) + b₂ of block <paramref name="k"/> for a state batch x [batch, width].</summary>
    public Tensor<T> Velocity(int k, Tensor<T> x, bool training)
    {
        var b = _blocks[k];
        var z = b.Inner.Forward(x);
        if (_norms != null)
        {
            _norms[k].Training = training;
            z = _norms[k].Forward(z);
        }
        return b.Outer.Forward(Architecture.Activation.Apply(z));
    }

    /// <summary>One layer: x + h·f(x; θ_k) (flow) or f(x; θ_k) (plain); f is kept as <see cref="LastVelocities"/>[k].</summary>
    public Tensor<T> Step(int k, Tensor<T> x, bool training)
    {
        var f = Velocity(k, x, training);
        _velocities[k] = f;
        return Residual ? x + f * StepSize : f;
    }

    /// <summary>
    /// The block outputs f_k = f(x_k; θ_k) of the most recent pass through <see cref="Step"/> (so of the last
    /// <see cref="Forward"/> or <see cref="Trajectory"/>), each [batch, width] and still attached to the autodiff graph
    /// when that pass was recorded; an entry is null until block k has run once.
    /// </summary>
    public IReadOnlyList<Tensor<T>?> LastVelocities => _velocities;

    /// <summary>
    /// The kinetic energy ½Σ_k h·E‖f_k‖² of the last forward pass (E the mean over the batch, h = 1/N) as a scalar
    /// tensor, differentiable when that pass was recorded: the regulariser that favours short, constant-speed flows
    /// (the geodesic view of a residual network). For a plain network f_k is the block's output, not a displacement.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass has run yet.</exception>
    public Tensor<T> KineticEnergy()
    {
        Tensor<T>? sum = null;
        int batch = 0;
        for (int k = 0; k < Depth; k++)
        {
            var f = _velocities[k] ?? throw new InvalidOperationException("KineticEnergy needs a forward pass of the network first.");
            batch = f.Size(0);
            var e = f.Square().Sum();
            sum = sum == null ? e : sum + e;
        }
        return sum! * (StepSize / (T.CreateChecked(2) * T.CreateChecked(Math.Max(batch, 1))));
    }

    /// <summary>The states x_0 (after the lift) … x_N (before the head) for inputs x [batch, inputs].</summary>
    public Tensor<T>[] Trajectory(Tensor<T> x, bool training)
    {
        var states = new Tensor<T>[Depth + 1];
        states[0] = Lift.Forward(x);
        for (int k = 0; k < Depth; k++) states[k + 1] = Step(k, states[k], training);
        return states;
    }

    /// <inheritdoc />
    public Tensor<T> Forward(Tensor<T> x, bool training)
    {
        var s = Lift.Forward(x);
        for (int k = 0; k < Depth; k++) s = Step(k, s, training);
        return Head.Forward(s);
    }
}

/// <summary>A residual network as a flow: lift → N steps x ← x + h·f(x; θ_k), h = 1/N → head (see <see cref="BlockNetwork{T}"/>).</summary>
public sealed class FlowNet<T> : BlockNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the network; <see cref="ModelArchitecture.Kind"/> is ignored (always a flow).</summary>
    public FlowNet(ModelArchitecture architecture) : base((architecture ?? throw new ArgumentNullException(nameof(architecture))) with { Kind = ModelKind.FlowNet }, residual: true) { }
}

/// <summary>The same depth and width without the skip connection: lift → N layers x ← f(x; θ_k) → head.</summary>
public sealed class PlainNet<T> : BlockNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the network; <see cref="ModelArchitecture.Kind"/> is ignored (always plain).</summary>
    public PlainNet(ModelArchitecture architecture) : base((architecture ?? throw new ArgumentNullException(nameof(architecture))) with { Kind = ModelKind.PlainNet }, residual: false) { }
}
