using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Analysis;

/// <summary>
/// Fisher–Rao norm of a classifier (Liang, Poggio, Rakhlin &amp; Stokes 2017): ‖θ‖²_fr = E[⟨θ, ∇_θ ℓ(f_θ(x), y)⟩²]
/// with ℓ the cross-entropy. The empirical version takes y from the labels; the true (model) version draws y from
/// the model's own softmax p_θ(·|x), as in the Fisher information, averaged over several seeded draws.
/// </summary>
/// <remarks>
/// <para><b>Per-sample directional derivatives without per-sample backward passes.</b> d_i = ⟨θ, ∇_θ ℓ_i⟩ is a
/// forward-mode quantity (the derivative of ℓ_i along the ray θ ↦ (1+ε)θ). With reverse mode only, it comes from
/// the "double-vector–Jacobian" identity: g(u) = ∇_θ Σ_i u_i ℓ_i is linear in u, so ∇_u ⟨g(u), θ⟩ = (d_i)_i.
/// That is three reverse sweeps for the whole batch (one recorded backward, its backward), not n.</para>
/// <para>The logits closure must treat rows independently (batch norm in evaluation mode), since ℓ_i must depend
/// on sample i alone. Sums run over every parameter tensor passed in, biases included when given.</para>
/// </remarks>
public static class FisherRao
{
    /// <summary>d_i = ⟨θ, ∇_θ ℓ_i⟩ for every entry ℓ_i of the per-sample loss vector the closure returns, exact.</summary>
    /// <param name="perSampleLoss">Runs the forward pass and returns the per-sample losses [n].</param>
    /// <param name="parameters">θ: tensors that require gradients.</param>
    /// <exception cref="InvalidParameterException">The closure does not return a vector, or a parameter does not require gradients.</exception>
    public static double[] DirectionalDerivatives<T>(Func<Tensor<T>> perSampleLoss, IReadOnlyList<Tensor<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(perSampleLoss);
        ArgumentNullException.ThrowIfNull(parameters);
        using var _ = Autograd.EnableGrad();
        var losses = perSampleLoss();
        if (losses.Rank != 1) throw new InvalidParameterException("loss", $"the per-sample loss must be a vector [n], got {losses}.");
        int n = losses.Length;
        if (!losses.RequiresGrad) return new double[n]; // loss independent of θ
        var u = Tensor<T>.Zeros(n).WithRequiresGrad();
        var g = Autograd.Grad([losses], parameters, [u], createGraph: true);
        Tensor<T>? dot = null;
        for (int p = 0; p < g.Length; p++)
        {
            if (!g[p].RequiresGrad) continue; // a gradient that does not depend on u is zero here
            var term = TensorOps.Sum(g[p] * parameters[p].Detach());
            dot = dot is null ? term : dot + term;
        }
        var d = new double[n];
        if (dot is null) return d;
        var du = Autograd.Grad([dot], [u])[0].Data;
        for (int i = 0; i < n; i++) d[i] = double.CreateChecked(du[i]);
        return d;
    }

    /// <summary>Per-sample cross-entropy −log softmax(logits)_y, a vector [n].</summary>
    public static Tensor<T> PerSampleCrossEntropy<T>(Tensor<T> logits, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
        => -TensorOps.Pick(TensorOps.LogSoftmax(logits), labels);

    /// <summary>Empirical and true Fisher–Rao norms over a data set, in batches.</summary>
    /// <param name="logitsOf">The model: inputs [b, …] → logits [b, classes], rows independent.</param>
    /// <param name="inputs">[n, …] inputs.</param>
    /// <param name="labels">n class labels (for the empirical norm).</param>
    /// <param name="parameters">θ.</param>
    /// <param name="modelSamples">Draws of y ~ p_θ(·|x) per input for the true norm.</param>
    /// <param name="seed">Seed of those draws.</param>
    /// <param name="batchSize">Inputs per forward pass.</param>
    /// <exception cref="InvalidParameterException">Label count or range wrong, modelSamples or batchSize &lt; 1.</exception>
    public static FisherRaoReport Compute<T>(Func<Tensor<T>, Tensor<T>> logitsOf, Tensor<T> inputs, int[] labels, IReadOnlyList<Tensor<T>> parameters,
        int modelSamples = 4, int seed = 0, int batchSize = 256) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logitsOf);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Rank < 1 || inputs.Size(0) == 0) throw new InvalidParameterException("inputs", $"needs at least one sample, got {inputs}.");
        int n = inputs.Size(0), width = inputs.Length / n;
        if (labels.Length != n) throw new InvalidParameterException("labels", $"{labels.Length} labels for {n} inputs.");
        if (modelSamples < 1) throw new InvalidParameterException("model-samples", $"must be at least 1, got {modelSamples}.");
        if (batchSize < 1) throw new InvalidParameterException("batch-size", $"must be at least 1, got {batchSize}.");
        var rng = new Random(seed);
        var empirical = new double[n];
        var perSampleTrue = new double[n];
        var shape = inputs.Shape.ToArray();
        for (int start = 0; start < n; start += batchSize)
        {
            int b = Math.Min(batchSize, n - start);
            shape[0] = b;
            var x = Tensor<T>.FromArray(shape, inputs.Data.AsSpan(start * width, b * width));
            var y = labels.AsSpan(start, b).ToArray();
            Tensor<T> logits;
            using (Autograd.NoGrad()) logits = logitsOf(x);
            if (logits.Rank != 2 || logits.Size(0) != b)
                throw new InvalidParameterException("model", $"logits must be [batch, classes] with one row per input, got {logits} for {b} inputs.");
            int classes = logits.Size(1);
            foreach (var label in y)
                if ((uint)label >= (uint)classes) throw new InvalidParameterException("labels", $"label {label} outside [0, {classes}).");
            var d = DirectionalDerivatives(() => PerSampleCrossEntropy(logitsOf(x), y), parameters);
            for (int i = 0; i < b; i++) empirical[start + i] = d[i] * d[i];
            for (int s = 0; s < modelSamples; s++)
            {
                var drawn = SampleLabels(logits, rng);
                var ds = DirectionalDerivatives(() => PerSampleCrossEntropy(logitsOf(x), drawn), parameters);
                for (int i = 0; i < b; i++) perSampleTrue[start + i] += ds[i] * ds[i] / modelSamples;
            }
        }
        return new FisherRaoReport
        {
            Samples = n,
            ModelSamples = modelSamples,
            Empirical = empirical.Average(),
            EmpiricalStandardError = StandardError(empirical),
            True = perSampleTrue.Average(),
            TrueStandardError = StandardError(perSampleTrue),
        };
    }

    /// <summary>
    /// The closed form for bias-free ReLU networks f = W_{L+1}σ(W_L ⋯ σ(W_1x)) with L hidden layers: f is
    /// positively homogeneous of degree L + 1 in θ, so by Euler's identity ⟨θ, ∇_θ ℓ⟩ = (L + 1)⟨∂ℓ/∂f, f⟩, and for
    /// cross-entropy ∂ℓ/∂f = softmax(f) − e_y. Returns that value per sample from the logits alone.
    /// </summary>
    /// <exception cref="InvalidParameterException">hiddenLayers &lt; 0, logits not [n, classes], or labels wrong.</exception>
    public static double[] ReluClosedForm<T>(Tensor<T> logits, int[] labels, int hiddenLayers) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (hiddenLayers < 0) throw new InvalidParameterException("hidden-layers", $"must be non-negative, got {hiddenLayers}.");
        if (logits.Rank != 2) throw new InvalidParameterException("logits", $"must be [samples, classes], got {logits}.");
        int n = logits.Size(0), c = logits.Size(1);
        if (labels.Length != n) throw new InvalidParameterException("labels", $"{labels.Length} labels for {n} rows of logits.");
        var result = new double[n];
        var p = new double[c];
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)c) throw new InvalidParameterException("labels", $"label {labels[i]} outside [0, {c}).");
            Softmax(logits.Data.AsSpan(i * c, c), p);
            double s = 0;
            for (int k = 0; k < c; k++) s += (p[k] - (k == labels[i] ? 1 : 0)) * double.CreateChecked(logits.Data[i * c + k]);
            result[i] = (hiddenLayers + 1) * s;
        }
        return result;
    }

    private static int[] SampleLabels<T>(Tensor<T> logits, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = logits.Size(0), c = logits.Size(1);
        var labels = new int[n];
        var p = new double[c];
        for (int i = 0; i < n; i++)
        {
            Softmax(logits.Data.AsSpan(i * c, c), p);
            double u = rng.NextDouble(), cumulative = 0;
            int k = 0;
            for (; k < c - 1; k++)
            {
                cumulative += p[k];
                if (u < cumulative) break;
            }
            labels[i] = k;
        }
        return labels;
    }

    private static void Softmax<T>(ReadOnlySpan<T> logits, Span<double> p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, double.CreateChecked(v));
        double sum = 0;
        for (int k = 0; k < logits.Length; k++) sum += p[k] = Math.Exp(double.CreateChecked(logits[k]) - max);
        for (int k = 0; k < logits.Length; k++) p[k] /= sum;
    }

    private static double StandardError(double[] values)
    {
        if (values.Length < 2) return double.NaN;
        double mean = values.Average(), var = 0;
        foreach (var v in values) var += (v - mean) * (v - mean);
        return Math.Sqrt(var / (values.Length - 1) / values.Length);
    }
}

/// <summary>Fisher–Rao norms of a classifier (see <see cref="FisherRao"/>). Both are squared norms ‖θ‖²_fr.</summary>
public sealed class FisherRaoReport
{
    /// <summary>Number of inputs.</summary>
    public required int Samples { get; init; }

    /// <summary>Draws of y from the model per input for <see cref="True"/>.</summary>
    public required int ModelSamples { get; init; }

    /// <summary>Empirical ‖θ‖²_fr: mean over inputs of ⟨θ, ∇_θ ℓ(f(x), label)⟩².</summary>
    public required double Empirical { get; init; }

    /// <summary>Standard error of <see cref="Empirical"/> over inputs.</summary>
    public required double EmpiricalStandardError { get; init; }

    /// <summary>True (model) ‖θ‖²_fr: mean over inputs and draws y ~ p_θ(·|x) of ⟨θ, ∇_θ ℓ(f(x), y)⟩².</summary>
    public required double True { get; init; }

    /// <summary>Standard error of <see cref="True"/> over inputs (each input's draws averaged first).</summary>
    public required double TrueStandardError { get; init; }
}
