using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

/// <summary>
/// Finite-difference checks in double: first order (reverse-mode gradient vs central differences of the loss) and
/// second order (double-backward Hessian–vector product vs central differences of the gradient). A tensor-valued
/// function f is scalarised as L = Σ w ⊙ f with a fixed random w, so every output entry is exercised.
/// </summary>
internal static class GradCheck
{
    public static Tensor<double> Rand(Random rng, params int[] shape) => Tensor<double>.Randn(shape, rng).WithRequiresGrad();

    /// <summary>Values in ±[low, high]: away from 0 (relu kinks, division).</summary>
    public static Tensor<double> AwayFromZero(Random rng, double low, double high, params int[] shape)
    {
        var t = Tensor<double>.Uniform(shape, rng, low, high);
        for (int i = 0; i < t.Length; i++) if (rng.Next(2) == 0) t.Data[i] = -t.Data[i];
        return t.WithRequiresGrad();
    }

    public static Tensor<double> Positive(Random rng, double low, double high, params int[] shape)
        => Tensor<double>.Uniform(shape, rng, low, high).WithRequiresGrad();

    private static Func<Tensor<double>> Scalarise(Func<Tensor<double>[], Tensor<double>> f, Tensor<double>[] inputs, int seed)
    {
        Tensor<double> probe;
        using (Autograd.NoGrad()) probe = f(inputs);
        var w = Tensor<double>.Randn(probe.Shape.ToArray(), new Random(seed));
        return () => TensorOps.Sum(f(inputs) * w);
    }

    private static double Value(Func<Tensor<double>> loss)
    {
        using var _ = Autograd.NoGrad();
        return loss().Item();
    }

    /// <summary>Asserts the reverse-mode gradient of every input matches central differences.</summary>
    public static void First(Func<Tensor<double>[], Tensor<double>> f, Tensor<double>[] inputs, double tol = 1e-6, int seed = 7)
    {
        var loss = Scalarise(f, inputs, seed);
        var grads = Autograd.Grad(loss(), inputs);
        const double eps = 1e-6;
        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k].Data;
            for (int i = 0; i < x.Length; i++)
            {
                double keep = x[i];
                x[i] = keep + eps;
                double lp = Value(loss);
                x[i] = keep - eps;
                double lm = Value(loss);
                x[i] = keep;
                double fd = (lp - lm) / (2 * eps);
                double err = Math.Abs(grads[k].Data[i] - fd);
                Assert.True(err <= tol * (1 + Math.Abs(fd)), $"input {k} element {i}: reverse mode {grads[k].Data[i]:R}, finite differences {fd:R}");
            }
        }
    }

    /// <summary>Asserts the double-backward Hessian–vector product matches central differences of the gradient along v.</summary>
    public static void Second(Func<Tensor<double>[], Tensor<double>> f, Tensor<double>[] inputs, double tol = 1e-6, int seed = 7)
    {
        var loss = Scalarise(f, inputs, seed);
        var rng = new Random(seed + 1);
        var v = inputs.Select(p => Tensor<double>.Randn(p.Shape.ToArray(), rng)).ToArray();
        var hv = Autograd.HessianVectorProduct(loss, inputs, v);
        const double eps = 1e-5;
        var gp = GradientAt(loss, inputs, v, eps);
        var gm = GradientAt(loss, inputs, v, -eps);
        for (int k = 0; k < inputs.Length; k++)
            for (int i = 0; i < inputs[k].Length; i++)
            {
                double fd = (gp[k].Data[i] - gm[k].Data[i]) / (2 * eps);
                double err = Math.Abs(hv[k].Data[i] - fd);
                Assert.True(err <= tol * (1 + Math.Abs(fd)), $"input {k} element {i}: double backward {hv[k].Data[i]:R}, finite differences {fd:R}");
            }
    }

    /// <summary>Both orders.</summary>
    public static void Both(Func<Tensor<double>[], Tensor<double>> f, params Tensor<double>[] inputs)
    {
        First(f, inputs);
        Second(f, inputs);
    }

    private static Tensor<double>[] GradientAt(Func<Tensor<double>> loss, Tensor<double>[] inputs, Tensor<double>[] v, double eps)
    {
        var saved = inputs.Select(p => p.ToArray()).ToArray();
        for (int k = 0; k < inputs.Length; k++)
            for (int i = 0; i < inputs[k].Length; i++) inputs[k].Data[i] += eps * v[k].Data[i];
        var g = Autograd.Grad(loss(), inputs);
        for (int k = 0; k < inputs.Length; k++) saved[k].CopyTo(inputs[k].Data, 0);
        return g;
    }
}
