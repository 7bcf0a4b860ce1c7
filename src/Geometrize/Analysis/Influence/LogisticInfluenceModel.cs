using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Numerics;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// Binary logistic regression p(y = 1 | x) = σ(wᵀx + b) as an influence model, with the loss
/// ℓ(z, θ) = softplus(wᵀx + b) − y(wᵀx + b) = −log p(y | x) on a two-class <see cref="Dataset"/> (labels 0 and 1).
/// θ = (w, b): the weight tensor is [1, d] (the layout of <see cref="TensorOps.Linear{T}"/>) and the bias [1]. Being a
/// generalised linear model it has closed forms: ∇ℓ = (σ − y)·x̃ and ∇²ℓ = σ(1 − σ)·x̃x̃ᵀ with x̃ = (x, 1), so all
/// per-example gradients cost one pass over the data and the Hessian one matrix product.
/// </summary>
public sealed class LogisticInfluenceModel<T> : IClosedFormInfluenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
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
    public void ExampleGradients(Dataset data, ReadOnlySpan<int> indices, Span<double> gradients)
    {
        CheckData(data);
        int d = InputDimension, p = d + 1;
        var w = Weights();
        var feats = data.FeatureMemory;
        var labels = data.LabelMemory;
        var idx = indices.ToArray();
        unsafe
        {
            fixed (double* gp = gradients)
            {
                nint g = (nint)gp;
                Parallelism.For(idx.Length, 2L * p, (start, end) =>
                {
                    for (int k = start; k < end; k++)
                    {
                        var x = feats.Span.Slice(idx[k] * d, d);
                        var row = new Span<double>((double*)g + (long)k * p, p);
                        double r = Sigmoid(Logit(x, w)) - labels.Span[idx[k]];
                        for (int j = 0; j < d; j++) row[j] = r * x[j];
                        row[d] = r;
                    }
                });
            }
        }
    }

    /// <inheritdoc/>
    public void HessianVectorProduct(Dataset data, ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, ReadOnlySpan<double> v, Span<double> product)
    {
        CheckData(data);
        int d = InputDimension;
        var w = Weights();
        var feats = data.Features;
        product[..(d + 1)].Clear();
        // Σ_k w_k σ_k(1 − σ_k)(x̃_kᵀv) x̃_k: a scalar per example, then an axpy into the product.
        for (int k = 0; k < indices.Length; k++)
        {
            if (weights[k] == 0) continue;
            var x = feats.Slice(indices[k] * d, d);
            double s = Sigmoid(Logit(x, w));
            double xv = v[d];
            for (int j = 0; j < d; j++) xv += x[j] * v[j];
            double c = weights[k] * s * (1 - s) * xv;
            for (int j = 0; j < d; j++) product[j] += c * x[j];
            product[d] += c;
        }
    }

    /// <inheritdoc/>
    public void Hessian(Dataset data, ReadOnlySpan<int> indices, ReadOnlySpan<double> weights, Span<double> hessian)
    {
        CheckData(data);
        int d = InputDimension, p = d + 1, m = indices.Length;
        var w = Weights();
        var feats = data.Features;
        var xt = new double[(long)m * p];   // rows x̃_k
        var cx = new double[(long)m * p];   // rows w_k σ_k(1 − σ_k) x̃_k
        for (int k = 0; k < m; k++)
        {
            var x = feats.Slice(indices[k] * d, d);
            double s = Sigmoid(Logit(x, w)), c = weights[k] * s * (1 - s);
            var row = xt.AsSpan(k * p, p);
            var crow = cx.AsSpan(k * p, p);
            for (int j = 0; j < d; j++)
            {
                row[j] = x[j];
                crow[j] = c * x[j];
            }
            row[d] = 1;
            crow[d] = c;
        }
        // H = X̃ᵀ diag(c) X̃ as one GEMM with the transpose as a flag.
        Gemm.Multiply<double>(xt, cx, hessian, p, p, m, Transpose.Yes, Transpose.No);
    }

    private double[] Weights()
    {
        var w = new double[InputDimension + 1];
        ParameterVector.Gather(Parameters, w);
        return w;
    }

    private static double Logit(ReadOnlySpan<float> x, double[] w)
    {
        double z = w[^1];
        for (int j = 0; j < x.Length; j++) z += w[j] * x[j];
        return z;
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
