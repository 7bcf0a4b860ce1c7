using System.Numerics;
using System.Numerics.Tensors;

namespace Geometrize.Autodiff;

/// <summary>
/// Differentiable tensor operations. Each records a backward rule written with these same operations, so gradients
/// are differentiable again (see <see cref="Autograd"/>). This part: arithmetic with NumPy broadcasting.
/// </summary>
public static partial class TensorOps
{
    /// <summary>a + b with broadcasting.</summary>
    public static Tensor<T> Add<T>(this Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Binary(a, b, BinaryOp.Add, "add");
        return Autograd.Record(r, "add", [a, b], (g, n) => [n[0] ? SumTo(g, a.shape) : null, n[1] ? SumTo(g, b.shape) : null]);
    }

    /// <summary>a − b with broadcasting.</summary>
    public static Tensor<T> Sub<T>(this Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Binary(a, b, BinaryOp.Sub, "sub");
        return Autograd.Record(r, "sub", [a, b], (g, n) => [n[0] ? SumTo(g, a.shape) : null, n[1] ? SumTo(Neg(g), b.shape) : null]);
    }

    /// <summary>a ⊙ b (elementwise product) with broadcasting.</summary>
    public static Tensor<T> Mul<T>(this Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Binary(a, b, BinaryOp.Mul, "mul");
        return Autograd.Record(r, "mul", [a, b], (g, n) => [n[0] ? SumTo(Mul(g, b), a.shape) : null, n[1] ? SumTo(Mul(g, a), b.shape) : null]);
    }

    /// <summary>a ⊘ b (elementwise quotient) with broadcasting.</summary>
    public static Tensor<T> Div<T>(this Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Binary(a, b, BinaryOp.Div, "div");
        return Autograd.Record(r, "div", [a, b], (g, n) =>
        [
            n[0] ? SumTo(Div(g, b), a.shape) : null,
            n[1] ? SumTo(Neg(Div(Mul(g, a), Square(b))), b.shape) : null,
        ]);
    }

    /// <summary>a^b elementwise with broadcasting; the derivative in b uses log a, so b may require gradients only where a &gt; 0.</summary>
    public static Tensor<T> Pow<T>(this Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Binary(a, b, BinaryOp.Pow, "pow");
        return Autograd.Record(r, "pow", [a, b], (g, n) =>
        [
            n[0] ? SumTo(Mul(g, Mul(b, Pow(a, AddScalar(b, -T.One)))), a.shape) : null,
            n[1] ? SumTo(Mul(g, Mul(Pow(a, b), Log(a))), b.shape) : null,
        ]);
    }

    /// <summary>x^p for a constant exponent p.</summary>
    public static Tensor<T> Pow<T>(this Tensor<T> x, double p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T pt = T.CreateChecked(p);
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Pow(s, pt, d));
        return Autograd.Record(r, "pow", [x], (g, n) => [Mul(g, Scale(Pow(x, p - 1), pt))]);
    }

    /// <summary>x² elementwise.</summary>
    public static Tensor<T> Square<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Multiply(s, s, d));
        return Autograd.Record(r, "square", [x], (g, n) => [Mul(g, Scale(x, T.CreateChecked(2)))]);
    }

    /// <summary>−x.</summary>
    public static Tensor<T> Neg<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Negate(s, d));
        return Autograd.Record(r, "neg", [x], (g, n) => [Neg(g)]);
    }

    /// <summary>x + c for a constant c.</summary>
    public static Tensor<T> AddScalar<T>(this Tensor<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Add(s, c, d));
        return Autograd.Record(r, "addScalar", [x], (g, n) => [g]);
    }

    /// <summary>c·x for a constant c.</summary>
    public static Tensor<T> Scale<T>(this Tensor<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = ElementwiseKernels.Map(x, (s, d) => TensorPrimitives.Multiply(s, c, d));
        return Autograd.Record(r, "scale", [x], (g, n) => [Scale(g, c)]);
    }

    /// <summary>c·x for a constant c given as a double (converted to T).</summary>
    public static Tensor<T> Scale<T>(this Tensor<T> x, double c) where T : unmanaged, IFloatingPointIeee754<T>
        => Scale(x, T.CreateChecked(c));
}
