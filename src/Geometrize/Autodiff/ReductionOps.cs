using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Autodiff;

public static partial class TensorOps
{
    /// <summary>Sum of all elements, a rank-0 tensor (accumulated in double).</summary>
    public static Tensor<T> Sum<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Tensor<T>([], [T.CreateTruncating(SumDouble(x.Data))]);
        return Autograd.Record(r, "sum", [x], (g, n) => [BroadcastTo(g, x.shape)]);
    }

    /// <summary>Mean of all elements, a rank-0 tensor.</summary>
    public static Tensor<T> Mean<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) throw new ShapeMismatchException($"mean: the tensor {Shapes.Format(x.shape)} has no elements.");
        return Scale(Sum(x), 1.0 / x.Length);
    }

    /// <summary>Sum over the given axes (negative counts from the end); <paramref name="keepDim"/> leaves them as extent 1.</summary>
    public static Tensor<T> Sum<T>(this Tensor<T> x, int[] axes, bool keepDim = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var reduce = new bool[x.Rank];
        foreach (int a in axes) reduce[Shapes.Axis(a, x.Rank, "sum")] = true;
        var keepShape = new int[x.Rank];
        for (int i = 0; i < x.Rank; i++) keepShape[i] = reduce[i] ? 1 : x.shape[i];
        var data = x.Data;
        var shape = (int[])x.shape.Clone();
        for (int a = x.Rank - 1; a >= 0; a--)
        {
            if (!reduce[a]) continue;
            data = ReduceAxis(data, shape, a);
            shape[a] = 1;
        }
        if (ReferenceEquals(data, x.Data)) data = (T[])data.Clone();
        int[] outShape = keepDim ? keepShape : keepShape.Where((_, i) => !reduce[i]).ToArray();
        var r = new Tensor<T>(outShape, data);
        return Autograd.Record(r, "sum", [x], (g, n) => [BroadcastTo(Reshape(g, keepShape), x.shape)]);
    }

    /// <summary>Sum over one axis.</summary>
    public static Tensor<T> Sum<T>(this Tensor<T> x, int axis, bool keepDim = false) where T : unmanaged, IFloatingPointIeee754<T>
        => Sum(x, [axis], keepDim);

    /// <summary>Mean over the given axes.</summary>
    public static Tensor<T> Mean<T>(this Tensor<T> x, int[] axes, bool keepDim = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long count = 1;
        foreach (int a in axes.Select(a => Shapes.Axis(a, x.Rank, "mean")).Distinct()) count *= x.shape[a];
        if (count == 0) throw new ShapeMismatchException($"mean: axes [{string.Join(", ", axes)}] of {Shapes.Format(x.shape)} are empty.");
        return Scale(Sum(x, axes, keepDim), 1.0 / count);
    }

    /// <summary>Mean over one axis.</summary>
    public static Tensor<T> Mean<T>(this Tensor<T> x, int axis, bool keepDim = false) where T : unmanaged, IFloatingPointIeee754<T>
        => Mean(x, [axis], keepDim);

    /// <summary>
    /// Sums <paramref name="x"/> down to <paramref name="shape"/>, the inverse of broadcasting (the adjoint of
    /// <see cref="BroadcastTo{T}"/>): the gradient of a broadcast operand.
    /// </summary>
    public static Tensor<T> SumTo<T>(this Tensor<T> x, int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Shapes.Equal(x.shape, shape)) return x;
        int offset = x.Rank - shape.Length;
        if (offset < 0) throw new ShapeMismatchException($"sumTo: cannot reduce {Shapes.Format(x.shape)} to the larger rank {Shapes.Format(shape)}.");
        var axes = new List<int>();
        for (int i = 0; i < x.Rank; i++)
        {
            if (i < offset) axes.Add(i);
            else if (shape[i - offset] == 1 && x.shape[i] != 1) axes.Add(i);
            else if (shape[i - offset] != x.shape[i])
                throw new ShapeMismatchException($"sumTo: {Shapes.Format(x.shape)} is not a broadcast of {Shapes.Format(shape)}.");
        }
        return Reshape(Sum(x, axes.ToArray(), keepDim: true), shape);
    }

    /// <summary>Repeats <paramref name="x"/> along broadcast axes to <paramref name="shape"/> (NumPy rules); its adjoint is <see cref="SumTo{T}"/>.</summary>
    public static Tensor<T> BroadcastTo<T>(this Tensor<T> x, int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Shapes.Equal(x.shape, shape)) return x;
        var outShape = Shapes.Broadcast(x.shape, shape, "broadcastTo");
        if (!Shapes.Equal(outShape, shape))
            throw new ShapeMismatchException($"broadcastTo: {Shapes.Format(x.shape)} cannot be broadcast to {Shapes.Format(shape)}.");
        var r = ElementwiseKernels.BroadcastCopy(x, outShape);
        return Autograd.Record(r, "broadcastTo", [x], (g, n) => [SumTo(g, x.shape)]);
    }

    /// <summary>Σ x_i accumulated in double over SIMD blocks, so float sums of many terms keep double accuracy.</summary>
    internal static double SumDouble<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = 4096;
        double sum = 0;
        for (int i = 0; i < x.Length; i += block)
            sum += double.CreateTruncating(TensorPrimitives.Sum(x.Slice(i, Math.Min(block, x.Length - i))));
        return sum;
    }

    // Sums axis a of a row-major array seen as [outer, n, inner]; accumulates in double.
    private static T[] ReduceAxis<T>(T[] src, int[] shape, int a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = Shapes.Product(shape, 0, a), n = shape[a], inner = Shapes.Product(shape, a + 1, shape.Length);
        var dst = GC.AllocateUninitializedArray<T>(outer * inner);
        if (inner == 1)
        {
            Parallelism.For(outer, n, (s, e) =>
            {
                for (int o = s; o < e; o++) dst[o] = T.CreateTruncating(SumDouble<T>(src.AsSpan(o * n, n)));
            });
            return dst;
        }
        Parallelism.For(outer, (long)n * inner, (s, e) =>
        {
            var acc = new double[inner];
            for (int o = s; o < e; o++)
            {
                Array.Clear(acc);
                for (int i = 0; i < n; i++)
                {
                    var row = src.AsSpan((o * n + i) * inner, inner);
                    for (int j = 0; j < inner; j++) acc[j] += double.CreateTruncating(row[j]);
                }
                var d = dst.AsSpan(o * inner, inner);
                for (int j = 0; j < inner; j++) d[j] = T.CreateTruncating(acc[j]);
            }
        });
        return dst;
    }
}
