using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Models;

namespace Geometrize.Networks.Training;

/// <summary>How the meta-gradient ∂ℓ_val/∂ε of learned example weights is computed.</summary>
public enum MetaGradientMethod
{
    /// <summary>
    /// Differentiates through the look-ahead step: θ′(ε) = θ − α∇_θ Σ_i ε_i ℓ_i(θ) is recorded with its graph
    /// (double backward), ℓ_val is evaluated at θ′ and differentiated with respect to ε.
    /// </summary>
    Exact,
    /// <summary>
    /// −α ∇ℓ_val(θ)·∇ℓ_i(θ) from per-example gradients (one reverse pass per example): the first-order expansion of
    /// the exact form around θ′ = θ.
    /// </summary>
    FirstOrder,
}

/// <summary>The outcome of one meta-gradient evaluation on a training batch.</summary>
/// <param name="Losses">ℓ_i(θ) [batch], still attached to the graph of the training forward pass (for the weighted update).</param>
/// <param name="MetaGradient">u_i = ∂ℓ_val(θ′(ε))/∂ε_i.</param>
/// <param name="Weights">w_i = max(−u_i, 0)/Σ_j max(−u_j, 0), or all zero when no u_i is negative.</param>
/// <param name="ValidationLoss">ℓ_val(θ′(ε)) (exact) or ℓ_val(θ) (first order).</param>
public sealed record MetaStep<T>(Tensor<T> Losses, double[] MetaGradient, double[] Weights, double ValidationLoss)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Learned example weights (Ren, Zeng, Yang and Urtasun, "Learning to reweight examples for robust deep learning",
/// ICML 2018): an example's weight is how much a small step on its loss would lower the loss on a clean validation
/// set. With per-example weights ε, the look-ahead θ′(ε) = θ − α∇_θ Σ_i ε_i ℓ_i(θ) gives
/// u_i = ∂ℓ_val(θ′(ε))/∂ε_i; at ε = 0 this is −α ∇ℓ_val(θ)·∇ℓ_i(θ), the alignment of the example's gradient with
/// the validation gradient, i.e. an inner product chosen by the data — the data-dependent metric of the paper's §III-B.
/// Weights w_i = max(−u_i, 0), normalised to sum 1.
/// </summary>
/// <remarks>
/// <para><b>Exact and first order.</b> θ′ is linear in ε, so at ε = 0 (Ren et al.'s choice, the default) the exact
/// one-step meta-gradient equals the first-order form −α∇ℓ_val(θ)·∇ℓ_i(θ) exactly; at any other ε they differ by
/// −α(∇ℓ_val(θ′) − ∇ℓ_val(θ))·∇ℓ_i = O(α²), a relative difference O(α). The exact form costs one forward and two
/// reverse passes over the batch (the second through the first) plus one over the validation batch, whatever the
/// batch size; the first-order form as written here takes one reverse pass per example, so it serves as the
/// independent reference.</para>
/// <para><b>No useful example.</b> When no u_i is negative (no example's step would lower the validation loss) all
/// weights are zero and the update is skipped, Ren et al.'s w_i = w̃_i/(Σw̃ + δ(Σw̃ = 0)).</para>
/// <para><b>Batch normalisation.</b> The look-ahead forward passes run in the mode given (training mode uses batch
/// statistics, as the real step does); running statistics are restored afterwards, so only the real step moves them.</para>
/// <para>Classification only (per-example cross-entropy).</para>
/// </remarks>
public sealed class LearnedExampleWeights<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _buffers;
    private readonly T[][] _saved;

    /// <summary>Prepares meta-gradients of <paramref name="model"/> with look-ahead step α = <paramref name="lookAheadRate"/>.</summary>
    /// <exception cref="InvalidParameterException">α not positive and finite.</exception>
    public LearnedExampleWeights(IModel<T> model, double lookAheadRate, MetaGradientMethod method = MetaGradientMethod.Exact)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(lookAheadRate > 0) || !double.IsFinite(lookAheadRate))
            throw new InvalidParameterException("--lookahead-lr", $"the look-ahead step α must be positive and finite, got {lookAheadRate}.");
        Model = model;
        LookAheadRate = lookAheadRate;
        Method = method;
        _buffers = model.State.Where(s => !s.Trainable).Select(s => s.Tensor).ToArray();
        _saved = _buffers.Select(b => new T[b.Length]).ToArray();
    }

    /// <summary>The model whose parameters θ are looked ahead from.</summary>
    public IModel<T> Model { get; }
    /// <summary>α of the look-ahead step.</summary>
    public double LookAheadRate { get; }
    /// <summary>Exact (double backward) or first order (per-example gradients).</summary>
    public MetaGradientMethod Method { get; }

    /// <summary>Per-example cross-entropy ℓ_i = −log softmax(logits_i)[label_i], shape [batch].</summary>
    public static Tensor<T> PerExampleLoss(Tensor<T> logits, int[] labels) => logits.LogSoftmax().Pick(labels).Neg();

    /// <summary>
    /// Meta-gradient and weights for a training batch (<paramref name="x"/>, <paramref name="labels"/>) against a clean
    /// validation batch, at example weights <paramref name="epsilon"/> (empty: ε = 0).
    /// </summary>
    /// <param name="x">Training inputs [batch, features].</param>
    /// <param name="labels">Training labels.</param>
    /// <param name="validationX">Validation inputs [m, features].</param>
    /// <param name="validationLabels">Validation labels (clean).</param>
    /// <param name="training">Forward mode (batch statistics in batch normalisation).</param>
    /// <param name="epsilon">ε, one value per training example, or empty for zero.</param>
    /// <exception cref="InvalidParameterException">ε has the wrong length.</exception>
    public MetaStep<T> Compute(Tensor<T> x, int[] labels, Tensor<T> validationX, int[] validationLabels, bool training, ReadOnlySpan<double> epsilon = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(validationX);
        int batch = labels.Length;
        if (!epsilon.IsEmpty && epsilon.Length != batch)
            throw new InvalidParameterException("epsilon", $"needs one weight per example: {batch} examples, {epsilon.Length} weights.");
        var theta = Model.Parameters;
        foreach (var p in theta) p.RequiresGrad = true;
        using var _ = Autograd.EnableGrad();
        var losses = PerExampleLoss(Model.Forward(x, training), labels);
        double[] u;
        double validationLoss;
        if (Method == MetaGradientMethod.Exact)
        {
            var eps = Tensor<T>.Zeros(batch);
            for (int i = 0; i < epsilon.Length; i++) eps.Data[i] = T.CreateChecked(epsilon[i]);
            eps.RequiresGrad = true;
            var g = Autograd.Grad([(losses * eps).Sum()], theta, createGraph: true);
            T alpha = T.CreateChecked(LookAheadRate);
            var lookAhead = new Tensor<T>[theta.Count];
            for (int k = 0; k < theta.Count; k++) lookAhead[k] = theta[k] - g[k] * alpha;
            var lval = ValidationLoss(validationX, validationLabels, training, lookAhead);
            validationLoss = double.CreateTruncating(lval.Item());
            var du = Autograd.Grad([lval], [eps])[0].Data;
            u = new double[batch];
            for (int i = 0; i < batch; i++) u[i] = double.CreateTruncating(du[i]);
        }
        else
        {
            var lval = ValidationLoss(validationX, validationLabels, training, null);
            validationLoss = double.CreateTruncating(lval.Item());
            var gval = Autograd.Grad([lval], theta);
            u = new double[batch];
            var seed = Tensor<T>.Zeros(batch);
            for (int i = 0; i < batch; i++)
            {
                seed.Data[i] = T.One;
                var gi = Autograd.Grad([losses], theta, [seed]);
                seed.Data[i] = T.Zero;
                double dot = 0;
                for (int k = 0; k < theta.Count; k++)
                {
                    var a = gval[k].Data;
                    var b = gi[k].Data;
                    for (int j = 0; j < a.Length; j++) dot += double.CreateTruncating(a[j]) * double.CreateTruncating(b[j]);
                }
                u[i] = -LookAheadRate * dot;
            }
        }
        return new MetaStep<T>(losses, u, Weights(u), validationLoss);
    }

    /// <summary>
    /// ℓ_val(θ′(ε)) with θ′(ε) = θ − α∇_θ Σ_i ε_i ℓ_i(θ), as a number (no graph kept): the function whose gradient
    /// <see cref="Compute"/> returns with <see cref="MetaGradientMethod.Exact"/>, for Taylor tests.
    /// </summary>
    public double LookAheadValidationLoss(Tensor<T> x, int[] labels, Tensor<T> validationX, int[] validationLabels, bool training, ReadOnlySpan<double> epsilon)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (epsilon.Length != labels.Length)
            throw new InvalidParameterException("epsilon", $"needs one weight per example: {labels.Length} examples, {epsilon.Length} weights.");
        var theta = Model.Parameters;
        foreach (var p in theta) p.RequiresGrad = true;
        var before = _buffers.Select(b => b.ToArray()).ToArray(); // a probe must not move running statistics
        Tensor<T>[] lookAhead;
        using (Autograd.EnableGrad())
        {
            var losses = PerExampleLoss(Model.Forward(x, training), labels);
            var eps = Tensor<T>.FromArray([labels.Length], epsilon.ToArray().Select(T.CreateChecked).ToArray());
            var g = Autograd.Grad([(losses * eps).Sum()], theta);
            T alpha = T.CreateChecked(LookAheadRate);
            lookAhead = new Tensor<T>[theta.Count];
            for (int k = 0; k < theta.Count; k++) lookAhead[k] = theta[k].Detach() - g[k] * alpha;
        }
        using var _ = Autograd.NoGrad();
        double value = double.CreateTruncating(ValidationLoss(validationX, validationLabels, training, lookAhead).Item());
        for (int b = 0; b < _buffers.Length; b++) before[b].CopyTo(_buffers[b].Data, 0);
        return value;
    }

    /// <summary>w_i = max(−u_i, 0) / Σ_j max(−u_j, 0); all zero when no u_i is negative (the update is then skipped).</summary>
    public static double[] Weights(ReadOnlySpan<double> metaGradient)
    {
        var w = new double[metaGradient.Length];
        double sum = 0;
        for (int i = 0; i < w.Length; i++) sum += w[i] = Math.Max(-metaGradient[i], 0);
        if (sum > 0 && double.IsFinite(sum))
            for (int i = 0; i < w.Length; i++) w[i] /= sum;
        else Array.Clear(w);
        return w;
    }

    // Mean validation cross-entropy at θ (parameters null) or at the given tensors; batch-norm running statistics are
    // put back afterwards so that only the real update moves them.
    private Tensor<T> ValidationLoss(Tensor<T> x, int[] labels, bool training, IReadOnlyList<Tensor<T>>? parameters)
    {
        for (int b = 0; b < _buffers.Length; b++) _buffers[b].Data.CopyTo(_saved[b], 0);
        try
        {
            var logits = parameters is null ? Model.Forward(x, training) : Model.ForwardWith(x, training, parameters);
            return logits.CrossEntropy(labels);
        }
        finally
        {
            for (int b = 0; b < _buffers.Length; b++) _saved[b].CopyTo(_buffers[b].Data, 0);
        }
    }
}
