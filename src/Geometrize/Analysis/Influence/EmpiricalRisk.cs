using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// The regularised empirical risk R(θ) = (1/n) Σ_i w_i ℓ(z_i, θ) + (λ/2)‖θ‖² of a model on its training set, with
/// its gradient, Hessian–vector products and dense Hessian in double. The example weights w_i are 1 after
/// construction; the leave-one-out harness sets one of them to 0 (keeping the factor 1/n, so removal is exactly
/// the up-weighting ε = −1/n of Koh and Liang). The regularisation is added analytically (λθ, λv, λI), the data
/// term comes from the model's closed forms when it has them and from <see cref="Autograd"/> otherwise.
/// Parameters travel as double vectors; with float models they are rounded to float on the way into the tensors.
/// An instance is not thread-safe: evaluating it at other parameters writes them into the model.
/// </summary>
public sealed class EmpiricalRisk<T> : IHessianOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IClosedFormInfluenceModel<T>? _closed;
    private readonly int[] _all;
    private double[] _sampleWeights = [];  // scratch reused by every sampled product (LiSSA calls it once per step)

    /// <summary>Binds a model, its training set and the L2 coefficient λ.</summary>
    /// <param name="model">The trained model (its parameters hold θ̂).</param>
    /// <param name="training">The training set the model was fitted on.</param>
    /// <param name="l2">λ ≥ 0 in (λ/2)‖θ‖².</param>
    /// <param name="batchSize">Examples per forward pass on the automatic-differentiation path (bounds memory).</param>
    /// <exception cref="InvalidParameterException">λ negative, an empty set, or the set's feature size differs from the model's input size.</exception>
    public EmpiricalRisk(IInfluenceModel<T> model, Dataset training, double l2, int batchSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        if (!(l2 >= 0) || !double.IsFinite(l2)) throw new InvalidParameterException("--l2", $"the L2 coefficient must be finite and ≥ 0, got {l2}.");
        if (batchSize < 1) throw new InvalidParameterException("batchSize", $"must be at least 1, got {batchSize}.");
        if (training.Count == 0) throw new InvalidParameterException("--data", $"training set '{training.Name}' is empty.");
        CheckInput(model, training);
        if (model.Parameters.Count == 0) throw new InvalidParameterException("model", "the model has no parameters.");
        foreach (var p in model.Parameters)
            if (!p.RequiresGrad) throw new InvalidParameterException("model", $"parameter {p} does not require gradients.");
        Model = model;
        _closed = model as IClosedFormInfluenceModel<T>;
        Training = training;
        L2 = l2;
        BatchSize = batchSize;
        Dimension = ParameterVector.Count(model.Parameters);
        ExampleWeights = new double[training.Count];
        Array.Fill(ExampleWeights, 1.0);
        _all = Enumerable.Range(0, training.Count).ToArray();
    }

    /// <summary>The model.</summary>
    public IInfluenceModel<T> Model { get; }

    /// <summary>The training set.</summary>
    public Dataset Training { get; }

    /// <summary>L2 coefficient λ.</summary>
    public double L2 { get; }

    /// <summary>Examples per forward pass on the automatic-differentiation path.</summary>
    public int BatchSize { get; }

    /// <summary>Number of parameters p.</summary>
    public int Dimension { get; }

    /// <summary>Number of training examples n.</summary>
    public int Count => Training.Count;

    /// <inheritdoc/>
    public int SampleCount => Training.Count;

    /// <summary>The weights w_i of the examples in the risk (all 1 unless changed, e.g. 0 to leave an example out).</summary>
    public double[] ExampleWeights { get; }

    /// <summary>Whether gradients and Hessians come from the model's closed forms rather than automatic differentiation.</summary>
    public bool UsesClosedForms => _closed is not null;

    /// <summary>Throws when <paramref name="data"/> does not fit the model's input.</summary>
    /// <exception cref="InvalidParameterException">The feature dimensions differ.</exception>
    public static void CheckInput(IInfluenceModel<T> model, Dataset data)
    {
        if (data.FeatureDimension != model.InputDimension)
            throw new InvalidParameterException("--data", $"dataset '{data.Name}' has {data.FeatureDimension} features per sample but the model expects {model.InputDimension}; use the data the model was trained on.");
    }

    /// <summary>θ as a new vector.</summary>
    public double[] GetParameters()
    {
        var theta = new double[Dimension];
        ParameterVector.Gather(Model.Parameters, theta);
        return theta;
    }

    /// <summary>Writes θ into the model's parameter tensors.</summary>
    public void SetParameters(ReadOnlySpan<double> theta) => ParameterVector.Scatter(theta, Model.Parameters);

    /// <summary>R(θ) at the current parameters.</summary>
    public double Value()
    {
        double data = 0;
        if (_closed is not null)
        {
            var losses = new double[Math.Min(BatchSize, Count)];
            for (int s = 0; s < Count; s += BatchSize)
            {
                int m = Math.Min(BatchSize, Count - s);
                _closed.ExampleLossValues(Training, _all.AsSpan(s, m), losses.AsSpan(0, m));
                for (int k = 0; k < m; k++) data += ExampleWeights[s + k] * losses[k];
            }
        }
        else
        {
            using var _ = Autograd.NoGrad();
            for (int s = 0; s < Count; s += BatchSize)
            {
                int[] chunk = _all[s..Math.Min(Count, s + BatchSize)];
                var losses = Model.ExampleLosses(Training, chunk).Data;
                for (int k = 0; k < chunk.Length; k++) data += ExampleWeights[chunk[k]] * double.CreateTruncating(losses[k]);
            }
        }
        var theta = GetParameters();
        return data / Count + 0.5 * L2 * TensorPrimitives.Dot<double>(theta, theta);
    }

    /// <summary>ℓ(z, θ) of sample <paramref name="index"/> of <paramref name="data"/> (training or test).</summary>
    public double ExampleLoss(Dataset data, int index)
    {
        CheckInput(Model, data);
        if ((uint)index >= (uint)data.Count) throw new InvalidParameterException("index", $"sample {index} is outside [0, {data.Count}) of '{data.Name}'.");
        if (_closed is not null)
        {
            Span<double> loss = stackalloc double[1];
            _closed.ExampleLossValues(data, [index], loss);
            return loss[0];
        }
        using var _ = Autograd.NoGrad();
        return double.CreateTruncating(Model.ExampleLosses(data, [index]).Data[0]);
    }

    /// <summary>
    /// Writes ∇_θ ℓ(z_i, θ) of the samples <paramref name="indices"/> of <paramref name="data"/> as rows of length p:
    /// closed form when the model has one, else one reverse pass per example.
    /// </summary>
    public void ExampleGradients(Dataset data, ReadOnlySpan<int> indices, Span<double> gradients)
    {
        CheckInput(Model, data);
        if (gradients.Length != (long)indices.Length * Dimension)
            throw new InvalidParameterException("gradients", $"{indices.Length} rows of {Dimension} need {(long)indices.Length * Dimension} values, got {gradients.Length}.");
        if (_closed is not null)
        {
            _closed.ExampleGradients(data, indices, gradients);
            return;
        }
        using var _ = Autograd.EnableGrad();
        for (int k = 0; k < indices.Length; k++)
        {
            var loss = TensorOps.Sum(Model.ExampleLosses(data, [indices[k]]));
            var g = Autograd.Grad(loss, Model.Parameters);
            Flatten(g, gradients.Slice(k * Dimension, Dimension));
        }
    }

    /// <summary>Writes ∇R(θ) = (1/n) Σ w_i ∇ℓ_i + λθ into <paramref name="gradient"/>.</summary>
    public void Gradient(Span<double> gradient)
    {
        CheckLength(gradient.Length, "gradient");
        gradient.Clear();
        if (_closed is not null)
        {
            // Per-example rows in small chunks: the sum needs no n×p matrix.
            int chunk = Math.Min(256, Count);
            var rows = new double[chunk * Dimension];
            for (int s = 0; s < Count; s += chunk)
            {
                int m = Math.Min(chunk, Count - s);
                _closed.ExampleGradients(Training, _all.AsSpan(s, m), rows.AsSpan(0, m * Dimension));
                for (int k = 0; k < m; k++)
                {
                    double w = ExampleWeights[s + k];
                    if (w != 0) TensorPrimitives.MultiplyAdd(rows.AsSpan(k * Dimension, Dimension), w, gradient, gradient);
                }
            }
        }
        else
        {
            using var _ = Autograd.EnableGrad();
            var buffer = new double[Dimension];
            for (int s = 0; s < Count; s += BatchSize)
            {
                int[] chunk = _all[s..Math.Min(Count, s + BatchSize)];
                var g = Autograd.Grad(WeightedSum(chunk), Model.Parameters);
                Flatten(g, buffer);
                TensorPrimitives.Add(gradient, buffer, gradient);
            }
        }
        TensorPrimitives.Multiply(gradient, 1.0 / Count, gradient);
        AddRegularisation(gradient);
    }

    /// <summary>Writes ∇²R(θ)·v = (1/n) Σ w_i ∇²ℓ_i v + λv into <paramref name="product"/>.</summary>
    public void Multiply(ReadOnlySpan<double> v, Span<double> product) => MultiplyCore(_all, ExampleWeights, Count, v, product);

    /// <summary>Writes (1/|S|) Σ_{i∈S} w_i ∇²ℓ_i v + λv for the sample S into <paramref name="product"/>.</summary>
    public void MultiplySample(ReadOnlySpan<int> sample, ReadOnlySpan<double> v, Span<double> product)
    {
        if (sample.Length == 0) throw new InvalidParameterException("sample", "a Hessian sample needs at least one example.");
        if (_sampleWeights.Length < sample.Length) _sampleWeights = new double[sample.Length];
        var weights = _sampleWeights.AsSpan(0, sample.Length);
        for (int k = 0; k < sample.Length; k++)
        {
            int i = sample[k];
            if ((uint)i >= (uint)Count) throw new InvalidParameterException("sample", $"example {i} is outside [0, {Count}).");
            weights[k] = ExampleWeights[i];
        }
        MultiplyCore(sample, weights, sample.Length, v, product);
    }

    /// <summary>
    /// Writes the Hessian ∇²R(θ) row-major into <paramref name="matrix"/> (p×p): closed form when the model has one,
    /// else one Hessian–vector product per column, symmetrised to remove round-off asymmetry.
    /// </summary>
    public void DenseMatrix(Span<double> matrix)
    {
        int p = Dimension;
        if (matrix.Length != (long)p * p) throw new InvalidParameterException("matrix", $"a {p}×{p} Hessian needs {(long)p * p} values, got {matrix.Length}.");
        if (_closed is not null)
        {
            _closed.Hessian(Training, _all, ExampleWeights, matrix);
            TensorPrimitives.Multiply(matrix, 1.0 / Count, matrix);
            for (int i = 0; i < p; i++) matrix[i * p + i] += L2;
            return;
        }
        var e = new double[p];
        var column = new double[p];
        for (int j = 0; j < p; j++)
        {
            e[j] = 1;
            Multiply(e, column);
            e[j] = 0;
            for (int i = 0; i < p; i++) matrix[i * p + j] = column[i];
        }
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++)
            {
                double s = 0.5 * (matrix[i * p + j] + matrix[j * p + i]);
                matrix[i * p + j] = s;
                matrix[j * p + i] = s;
            }
    }

    /// <summary>
    /// R(θ) as a differentiable tensor over the whole training set (for optimisers that take a closure, such as
    /// L-BFGS); builds one graph over all n examples.
    /// </summary>
    public Tensor<T> Objective()
    {
        var data = TensorOps.Scale(WeightedSum(_all), 1.0 / Count);
        Tensor<T>? reg = null;
        foreach (var p in Model.Parameters)
        {
            var term = TensorOps.Sum(TensorOps.Square(p));
            reg = reg is null ? term : reg + term;
        }
        return L2 == 0 ? data : data + TensorOps.Scale(reg!, 0.5 * L2);
    }

    private void MultiplyCore(ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, int divisor, ReadOnlySpan<double> v, Span<double> product)
    {
        CheckLength(v.Length, "v");
        CheckLength(product.Length, "product");
        if (_closed is not null)
        {
            _closed.HessianVectorProduct(Training, indices, weights, v, product);
        }
        else
        {
            product.Clear();
            var direction = ParameterVector.ToTensors(v, Model.Parameters);
            var buffer = new double[Dimension];
            var w = weights.ToArray();
            for (int s = 0; s < indices.Length; s += BatchSize)
            {
                int m = Math.Min(BatchSize, indices.Length - s);
                int[] chunk = indices.Slice(s, m).ToArray();
                double[] cw = w[s..(s + m)];
                var hv = Autograd.HessianVectorProduct(() => WeightedSum(chunk, cw), Model.Parameters, direction);
                Flatten(hv, buffer);
                TensorPrimitives.Add(product, buffer, product);
            }
        }
        TensorPrimitives.Multiply(product, 1.0 / divisor, product);
        TensorPrimitives.MultiplyAdd(v, L2, product, product);
    }

    private Tensor<T> WeightedSum(int[] chunk) => WeightedSum(chunk, chunk.Select(i => ExampleWeights[i]).ToArray());

    private Tensor<T> WeightedSum(int[] chunk, double[] weights)
    {
        var losses = Model.ExampleLosses(Training, chunk);
        if (losses.Rank != 1 || losses.Length != chunk.Length)
            throw new ShapeMismatchException($"the model's ExampleLosses returned shape [{string.Join(", ", losses.Shape)}] for {chunk.Length} examples; it must return one loss per example.");
        var w = Tensor<T>.Zeros(chunk.Length);
        for (int k = 0; k < chunk.Length; k++) w.Data[k] = T.CreateTruncating(weights[k]);
        return TensorOps.Sum(losses * w);
    }

    private void AddRegularisation(Span<double> gradient)
    {
        if (L2 == 0) return;
        var theta = GetParameters();
        TensorPrimitives.MultiplyAdd(theta, L2, gradient, gradient);
    }

    private static void Flatten(Tensor<T>[] parts, Span<double> destination) => ParameterVector.Gather(parts, destination);

    private void CheckLength(int length, string name)
    {
        if (length != Dimension) throw new InvalidParameterException(name, $"the model has {Dimension} parameters; the vector has {length} entries.");
    }
}
