using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.CompilerServices;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Numerics;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// Binary logistic regression p(y = 1 | x) = σ(wᵀx + b) as an influence model, with the loss
/// ℓ(z, θ) = softplus(wᵀx + b) − y(wᵀx + b) = −log p(y | x) on a two-class <see cref="Dataset"/> (labels 0 and 1).
/// θ = (w, b): the weight tensor is [1, d] (the layout of <see cref="TensorOps.Linear{T}"/>) and the bias [1]; the
/// L2 term of <see cref="EmpiricalRisk{T}"/> covers both. Being a generalised linear model it has closed forms:
/// ∇ℓ = (σ − y)·x̃ and ∇²ℓ = σ(1 − σ)·x̃x̃ᵀ with x̃ = (x, 1), evaluated on a cached double copy of each dataset's
/// rows x̃ so that every product is a SIMD dot or axpy. Not thread-safe (it caches the probabilities at the last θ).
/// </summary>
public sealed class LogisticInfluenceModel<T> : IClosedFormInfluenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ConditionalWeakTable<Dataset, double[]> _designs = new();
    // σ(x̃ᵀθ) for every row of the last dataset at the last θ: Hessian–vector products at a fixed θ (CG, LiSSA) then
    // cost one dot and one axpy per example instead of two dots.
    private Dataset? _probabilityData;
    private double[] _probabilityTheta = [];
    private double[] _probabilities = [];

    /// <summary>A model with zero parameters for inputs of dimension <paramref name="inputDimension"/>.</summary>
    public LogisticInfluenceModel(int inputDimension)
    {
        if (inputDimension < 1) throw new InvalidParameterException("inputDimension", $"must be at least 1, got {inputDimension}.");
        InputDimension = inputDimension;
        Weight = Tensor<T>.Zeros(1, inputDimension).WithRequiresGrad();
        Weight.Name = "weight";
        Bias = Tensor<T>.Zeros(1).WithRequiresGrad();
        Bias.Name = "bias";
        Parameters = [Weight, Bias];
    }

    /// <summary>w, shape [1, d].</summary>
    public Tensor<T> Weight { get; }

    /// <summary>b, shape [1].</summary>
    public Tensor<T> Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Tensor<T>> Parameters { get; }

    /// <inheritdoc/>
    public int InputDimension { get; }

    /// <inheritdoc/>
    public Tensor<T> ExampleLosses(Dataset data, int[] indices)
    {
        CheckData(data);
        var x = Tensor<T>.Zeros(indices.Length, InputDimension);
        data.Gather<T>(indices, x.Data);
        var y = Tensor<T>.Zeros(indices.Length);
        for (int k = 0; k < indices.Length; k++) y.Data[k] = T.CreateTruncating(data.Label(indices[k]));
        var z = TensorOps.Reshape(TensorOps.Linear(x, Weight, Bias), indices.Length);
        return TensorOps.Softplus(z) - y * z;
    }

    /// <inheritdoc/>
    public void ExampleLossValues(Dataset data, ReadOnlySpan<int> indices, Span<double> losses)
    {
        var design = Design(data);
        int p = InputDimension + 1;
        var theta = new double[p];
        ParameterVector.Gather(Parameters, theta);
        var labels = data.Labels;
        for (int k = 0; k < indices.Length; k++)
        {
            double z = TensorPrimitives.Dot<double>(design.AsSpan(indices[k] * p, p), theta);
            // softplus(z) − yz with softplus(z) = max(z, 0) + log(1 + e^−|z|), free of overflow.
            losses[k] = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - labels[indices[k]] * z;
        }
    }

    /// <inheritdoc/>
    public void ExampleGradients(Dataset data, ReadOnlySpan<int> indices, Span<double> gradients)
    {
        var design = Design(data);
        int p = InputDimension + 1;
        var prob = Probabilities(data, design);
        var labels = data.Labels;
        for (int k = 0; k < indices.Length; k++)
        {
            var row = design.AsSpan(indices[k] * p, p);
            double r = prob[indices[k]] - labels[indices[k]];
            TensorPrimitives.Multiply(row, r, gradients.Slice(k * p, p));
        }
    }

    /// <inheritdoc/>
    public void HessianVectorProduct(Dataset data, ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, ReadOnlySpan<double> v, Span<double> product)
    {
        var design = Design(data);
        int p = InputDimension + 1;
        var prob = Probabilities(data, design);
        product[..p].Clear();
        // Σ_k w_k σ_k(1 − σ_k)(x̃_kᵀv) x̃_k: two dots and an axpy per example.
        for (int k = 0; k < indices.Length; k++)
        {
            if (weights[k] == 0) continue;
            var row = design.AsSpan(indices[k] * p, p);
            double s = prob[indices[k]];
            double c = weights[k] * s * (1 - s) * TensorPrimitives.Dot(row, v);
            TensorPrimitives.MultiplyAdd(row, c, product, product);
        }
    }

    /// <inheritdoc/>
    public void Hessian(Dataset data, ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, Span<double> hessian)
    {
        var design = Design(data);
        int p = InputDimension + 1, m = indices.Length;
        if (hessian.Length != (long)p * p) throw new InvalidParameterException("hessian", $"a {p}×{p} matrix needs {(long)p * p} values, got {hessian.Length}.");
        var prob = Probabilities(data, design);
        var rowStart = new int[m];            // offset of x̃_k in the cached design
        var c = new double[m];                // w_k σ_k(1 − σ_k)
        for (int k = 0; k < m; k++)
        {
            rowStart[k] = indices[k] * p;
            double s = prob[indices[k]];
            c[k] = weights[k] * s * (1 - s);
        }
        // H = Σ_k c_k x̃_k x̃_kᵀ, lower triangle only (half the work of a full product): row i of H gathers the axpys
        // c_k x̃_k[i]·x̃_k[0..i]. Rows of H are processed in blocks that stay in cache while the examples stream past
        // once per block; zero pixels (about half of an image) are skipped.
        const int block = 32;
        int blocks = (p + block - 1) / block;
        unsafe
        {
            fixed (double* hp = hessian)
            {
                nint hh = (nint)hp;
                Parallelism.For(blocks, (long)m * p * block / 2, (start, end) =>
                {
                    for (int b = start; b < end; b++)
                    {
                        int i0 = b * block, i1 = Math.Min(p, i0 + block);
                        for (int i = i0; i < i1; i++) new Span<double>((double*)hh + (long)i * p, i + 1).Clear();
                        for (int k = 0; k < m; k++)
                        {
                            double ck = c[k];
                            if (ck == 0) continue;
                            var xk = new ReadOnlySpan<double>(design, rowStart[k], p);
                            for (int i = i0; i < i1; i++)
                            {
                                double a = ck * xk[i];
                                if (a == 0) continue;
                                var hrow = new Span<double>((double*)hh + (long)i * p, i + 1);
                                TensorPrimitives.MultiplyAdd(xk[..(i + 1)], a, hrow, hrow);
                            }
                        }
                    }
                });
            }
        }
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++) hessian[j * p + i] = hessian[i * p + j];
    }

    private double[] Probabilities(Dataset data, double[] design)
    {
        int p = InputDimension + 1;
        var theta = new double[p];
        ParameterVector.Gather(Parameters, theta);
        if (ReferenceEquals(data, _probabilityData) && theta.AsSpan().SequenceEqual(_probabilityTheta)) return _probabilities;
        var prob = new double[data.Count];
        for (int i = 0; i < prob.Length; i++) prob[i] = Sigmoid(TensorPrimitives.Dot<double>(design.AsSpan(i * p, p), theta));
        _probabilityData = data;
        _probabilityTheta = theta;
        _probabilities = prob;
        return prob;
    }

    // Rows x̃ = (x, 1) of a dataset in double, built once per dataset instance (datasets are immutable).
    private double[] Design(Dataset data)
    {
        CheckData(data);
        return _designs.GetValue(data, ds =>
        {
            int d = InputDimension, p = d + 1;
            var design = new double[(long)ds.Count * p];
            var f = ds.Features;
            for (int i = 0; i < ds.Count; i++)
            {
                var row = design.AsSpan(i * p, p);
                TensorPrimitives.ConvertChecked<float, double>(f.Slice(i * d, d), row[..d]);
                row[d] = 1;
            }
            return design;
        });
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private void CheckData(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureDimension != InputDimension)
            throw new InvalidParameterException("--data", $"dataset '{data.Name}' has {data.FeatureDimension} features per sample but the logistic model expects {InputDimension}.");
        if (data.Task != LearningTask.Classification || data.ClassCount != 2)
            throw new InvalidParameterException("--data", $"binary logistic regression needs a two-class dataset (labels 0 and 1); '{data.Name}' has {(data.Task == LearningTask.Classification ? data.ClassCount + " classes" : "real targets")}. Select two classes, e.g. ClassesFilter(0, 6).");
    }
}
