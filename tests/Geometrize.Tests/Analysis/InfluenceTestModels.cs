using Geometrize.Analysis.Influence;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// Least squares ℓ = ½(xᵀθ − y)² written only with tensor operations, so influence on it exercises the
/// automatic-differentiation path (per-example backward passes, double-backward HVPs).
/// </summary>
internal sealed class LeastSquaresModel : IInfluenceModel<double>
{
    public LeastSquaresModel(int d)
    {
        InputDimension = d;
        Theta = Tensor<double>.Zeros(1, d).WithRequiresGrad();
        Parameters = [Theta];
    }

    public Tensor<double> Theta { get; }
    public IReadOnlyList<Tensor<double>> Parameters { get; }
    public int InputDimension { get; }

    public Tensor<double> ExampleLosses(Dataset data, int[] indices)
    {
        var x = Tensor<double>.Zeros(indices.Length, InputDimension);
        data.Gather<double>(indices, x.Data);
        var y = Tensor<double>.Zeros(indices.Length);
        for (int k = 0; k < indices.Length; k++) y.Data[k] = data.TargetRow(indices[k])[0];
        var r = x.Linear(Theta).Reshape(indices.Length) - y;
        return r.Square() * 0.5;
    }
}

/// <summary>Synthetic regression data and naive dense linear algebra to compare against.</summary>
internal static class InfluenceFixtures
{
    /// <summary>n samples of d features: an intercept column of ones and d − 1 standard normals; y = xᵀβ + 0.3·noise.</summary>
    public static Dataset Regression(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * d];
        var y = new float[n];
        var beta = Enumerable.Range(0, d).Select(_ => Normal(rng)).ToArray();
        for (int i = 0; i < n; i++)
        {
            x[i * d] = 1;
            for (int j = 1; j < d; j++) x[i * d + j] = (float)Normal(rng);
            double t = 0;
            for (int j = 0; j < d; j++) t += beta[j] * x[i * d + j];
            y[i] = (float)(t + 0.3 * Normal(rng));
        }
        return Dataset.Regression("synthetic-regression", x, [d], y);
    }

    public static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>XᵀX/n + λI by triple loop.</summary>
    public static double[,] RidgeHessian(Dataset data, double l2)
    {
        int n = data.Count, d = data.FeatureDimension;
        var h = new double[d, d];
        for (int i = 0; i < n; i++)
        {
            var x = data.FeatureRow(i);
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) h[a, b] += (double)x[a] * x[b] / n;
        }
        for (int a = 0; a < d; a++) h[a, a] += l2;
        return h;
    }

    public static double[] Multiply(double[,] a, double[] v)
    {
        int n = v.Length;
        var r = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) r[i] += a[i, j] * v[j];
        return r;
    }

    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int j = 0; j < x.Length; j++) s += x[j] * v[j];
        return s;
    }

    public static double MaxAbsDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    public static double RelativeError(ReadOnlySpan<double> estimate, ReadOnlySpan<double> reference)
    {
        double num = 0, den = 0;
        for (int i = 0; i < estimate.Length; i++)
        {
            num += (estimate[i] - reference[i]) * (estimate[i] - reference[i]);
            den += reference[i] * reference[i];
        }
        return Math.Sqrt(num / den);
    }
}
