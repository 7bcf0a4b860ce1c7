using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Autodiff;

/// <summary>The binary operations the broadcasting kernel evaluates.</summary>
internal enum BinaryOp { Add, Sub, Mul, Div, Pow }

/// <summary>
/// Forward kernels of elementwise operations: contiguous spans go to <see cref="TensorPrimitives"/> (SIMD);
/// broadcasting is reduced to runs along the last axis, where each operand is either a contiguous row or a scalar.
/// </summary>
internal static class ElementwiseKernels
{
    // Below this many elements threads cost more than they save for a memory-bound elementwise loop.
    private const int ParallelThreshold = 1 << 18;

    /// <summary>Runs body(start, end) over [0, length), in parallel chunks for large arrays.</summary>
    public static void For(int length, Action<int, int> body)
    {
        if (length < ParallelThreshold) body(0, length);
        else Parallelism.For(length, 1, body);
    }

    /// <summary>a op b with NumPy broadcasting.</summary>
    public static Tensor<T> Binary<T>(Tensor<T> a, Tensor<T> b, BinaryOp op, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] outShape = Shapes.Equal(a.shape, b.shape) ? (int[])a.shape.Clone() : Shapes.Broadcast(a.shape, b.shape, name);
        var dst = GC.AllocateUninitializedArray<T>(Shapes.Numel(outShape));
        T[] ad = a.Data, bd = b.Data;
        if (dst.Length == 0) return new Tensor<T>(outShape, dst);
        if (ad.Length == dst.Length && bd.Length == dst.Length)
            For(dst.Length, (s, e) => Row(op, ad.AsSpan(s, e - s), false, bd.AsSpan(s, e - s), false, dst.AsSpan(s, e - s)));
        else if (ad.Length == dst.Length && bd.Length == 1)
            For(dst.Length, (s, e) => Row(op, ad.AsSpan(s, e - s), false, bd.AsSpan(0, 1), true, dst.AsSpan(s, e - s)));
        else if (bd.Length == dst.Length && ad.Length == 1)
            For(dst.Length, (s, e) => Row(op, ad.AsSpan(0, 1), true, bd.AsSpan(s, e - s), false, dst.AsSpan(s, e - s)));
        else
        {
            int rank = outShape.Length, inner = outShape[rank - 1], rows = dst.Length / inner;
            int[] sa = Shapes.BroadcastStrides(a.shape, outShape), sb = Shapes.BroadcastStrides(b.shape, outShape);
            bool aScalar = sa[rank - 1] == 0, bScalar = sb[rank - 1] == 0;
            Parallelism.For(rows, inner, (s, e) =>
            {
                for (int r = s; r < e; r++)
                {
                    RowOffsets(r, outShape, sa, sb, out int oa, out int ob);
                    Row(op, ad.AsSpan(oa, aScalar ? 1 : inner), aScalar, bd.AsSpan(ob, bScalar ? 1 : inner), bScalar, dst.AsSpan(r * inner, inner));
                }
            });
        }
        return new Tensor<T>(outShape, dst);
    }

    /// <summary>Copies <paramref name="x"/> repeated along its broadcast axes into a tensor of shape <paramref name="outShape"/>.</summary>
    public static Tensor<T> BroadcastCopy<T>(Tensor<T> x, int[] outShape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = GC.AllocateUninitializedArray<T>(Shapes.Numel(outShape));
        if (dst.Length == 0) return new Tensor<T>(outShape, dst);
        var src = x.Data;
        int rank = outShape.Length, inner = outShape[rank - 1], rows = dst.Length / inner;
        int[] sx = Shapes.BroadcastStrides(x.shape, outShape);
        bool scalar = sx[rank - 1] == 0;
        Parallelism.For(rows, inner, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                RowOffsets(r, outShape, sx, sx, out int o, out _);
                var row = dst.AsSpan(r * inner, inner);
                if (scalar) row.Fill(src[o]);
                else src.AsSpan(o, inner).CopyTo(row);
            }
        });
        return new Tensor<T>(outShape, dst);
    }

    // Offsets into two broadcast operands of output row r (all axes but the last).
    private static void RowOffsets(int r, int[] shape, int[] sa, int[] sb, out int oa, out int ob)
    {
        oa = 0; ob = 0;
        for (int d = shape.Length - 2; d >= 0; d--)
        {
            int idx = r % shape[d];
            r /= shape[d];
            oa += idx * sa[d];
            ob += idx * sb[d];
        }
    }

    private static void Row<T>(BinaryOp op, ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (aScalar && bScalar)
        {
            dst.Fill(Scalar(op, a[0], b[0]));
            return;
        }
        switch (op)
        {
            case BinaryOp.Add:
                if (aScalar) TensorPrimitives.Add(b, a[0], dst);
                else if (bScalar) TensorPrimitives.Add(a, b[0], dst);
                else TensorPrimitives.Add(a, b, dst);
                break;
            case BinaryOp.Sub:
                if (aScalar) TensorPrimitives.Subtract(a[0], b, dst);
                else if (bScalar) TensorPrimitives.Subtract(a, b[0], dst);
                else TensorPrimitives.Subtract(a, b, dst);
                break;
            case BinaryOp.Mul:
                if (aScalar) TensorPrimitives.Multiply(b, a[0], dst);
                else if (bScalar) TensorPrimitives.Multiply(a, b[0], dst);
                else TensorPrimitives.Multiply(a, b, dst);
                break;
            case BinaryOp.Div:
                if (aScalar) TensorPrimitives.Divide(a[0], b, dst);
                else if (bScalar) TensorPrimitives.Divide(a, b[0], dst);
                else TensorPrimitives.Divide(a, b, dst);
                break;
            default:
                if (aScalar) TensorPrimitives.Pow(a[0], b, dst);
                else if (bScalar) TensorPrimitives.Pow(a, b[0], dst);
                else TensorPrimitives.Pow(a, b, dst);
                break;
        }
    }

    private static T Scalar<T>(BinaryOp op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        _ => T.Pow(a, b),
    };

    /// <summary>dst = f(src) for a span-to-span primitive, chunked for large arrays.</summary>
    public static Tensor<T> Map<T>(Tensor<T> x, SpanMap<T> f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = GC.AllocateUninitializedArray<T>(x.Length);
        var src = x.Data;
        For(dst.Length, (s, e) => f(src.AsSpan(s, e - s), dst.AsSpan(s, e - s)));
        return new Tensor<T>((int[])x.shape.Clone(), dst);
    }
}

/// <summary>An elementwise map from a source span to a destination span of the same length.</summary>
internal delegate void SpanMap<T>(ReadOnlySpan<T> source, Span<T> destination);
