using System.Numerics;
using System.Numerics.Tensors;

namespace Geometrize.Autodiff;

public static partial class TensorOps
{
    /// <summary>eˣ elementwise.</summary>
    public static Tensor<T> Exp<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Exp(s, d));
        return Autograd.Record(r, "exp", [x], (g, n) => [Mul(g, r)]);
    }

    /// <summary>Natural logarithm elementwise.</summary>
    public static Tensor<T> Log<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Log(s, d));
        return Autograd.Record(r, "log", [x], (g, n) => [Div(g, x)]);
    }

    /// <summary>√x elementwise.</summary>
    public static Tensor<T> Sqrt<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Sqrt(s, d));
        return Autograd.Record(r, "sqrt", [x], (g, n) => [Div(Scale(g, T.CreateChecked(0.5)), r)]);
    }

    /// <summary>tanh x elementwise; derivative 1 − tanh².</summary>
    public static Tensor<T> Tanh<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Tanh(s, d));
        return Autograd.Record(r, "tanh", [x], (g, n) => [Mul(g, AddScalar(Neg(Square(r)), T.One))]);
    }

    /// <summary>Logistic sigmoid 1/(1 + e⁻ˣ) elementwise; derivative σ(1 − σ).</summary>
    public static Tensor<T> Sigmoid<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Sigmoid(s, d));
        return Autograd.Record(r, "sigmoid", [x], (g, n) => [Mul(g, Mul(r, AddScalar(Neg(r), T.One)))]);
    }

    /// <summary>
    /// max(x, 0) elementwise. The backward rule multiplies by the constant mask 1[x &gt; 0], so the second
    /// derivative is 0 (true almost everywhere; the kink at 0 gets the subgradient 0).
    /// </summary>
    public static Tensor<T> Relu<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Max(s, T.Zero, d));
        return Autograd.Record(r, "relu", [x], (g, n) => [Mul(g, StepMask(x))]);
    }

    /// <summary>softplus(x) = log(1 + eˣ), evaluated as max(x, 0) + log(1 + e^−|x|) to avoid overflow; derivative σ(x).</summary>
    public static Tensor<T> Softplus<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, static (s, d) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                T v = s[i];
                d[i] = T.Max(v, T.Zero) + T.LogP1(T.Exp(-T.Abs(v)));
            }
        });
        return Autograd.Record(r, "softplus", [x], (g, n) => [Mul(g, Sigmoid(x))]);
    }

    // 1[x > 0] as a constant (no graph): the derivative of relu.
    private static Tensor<T> StepMask<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mask = GC.AllocateUninitializedArray<T>(x.Length);
        var src = x.Data;
        for (int i = 0; i < mask.Length; i++) mask[i] = src[i] > T.Zero ? T.One : T.Zero;
        return new Tensor<T>((int[])x.shape.Clone(), mask);
    }
}
