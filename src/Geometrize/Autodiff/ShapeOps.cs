using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Autodiff;

public static partial class TensorOps
{
    /// <summary>The same elements in a new shape (one extent may be −1, inferred). Copies the data.</summary>
    public static Tensor<T> Reshape<T>(this Tensor<T> x, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < s.Length; i++) if (i != infer) known *= s[i];
            if (known == 0 || x.Length % known != 0)
                throw new ShapeMismatchException($"reshape: cannot infer the −1 extent of {Shapes.Format(shape)} for {x.Length} elements.");
            s[infer] = x.Length / known;
        }
        if (Shapes.Numel(s) != x.Length)
            throw new ShapeMismatchException($"reshape: {Shapes.Format(x.shape)} ({x.Length} elements) cannot become {Shapes.Format(shape)}.");
        var r = new Tensor<T>(s, (T[])x.Data.Clone());
        return Autograd.Record(r, "reshape", [x], (g, n) => [Reshape(g, x.shape)]);
    }

    /// <summary>Transpose of a 2-D tensor.</summary>
    public static Tensor<T> Transpose<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank != 2) throw new ShapeMismatchException($"transpose: needs a 2-D tensor, got {Shapes.Format(x.shape)}; use SwapAxes for higher ranks.");
        return Permute(x, 1, 0);
    }

    /// <summary>Exchanges two axes.</summary>
    public static Tensor<T> SwapAxes<T>(this Tensor<T> x, int axis0, int axis1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        int a = Shapes.Axis(axis0, x.Rank, "swapAxes"), b = Shapes.Axis(axis1, x.Rank, "swapAxes");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    /// <summary>Reorders axes: output axis i is input axis perm[i].</summary>
    public static Tensor<T> Permute<T>(this Tensor<T> x, params int[] perm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rank = x.Rank;
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw new InvalidParameterException("permute", $"[{string.Join(", ", perm)}] is not a permutation of the {rank} axes of {Shapes.Format(x.shape)}.");
        var inStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; i--) { inStrides[i] = s; s *= x.shape[i]; }
        var outShape = new int[rank];
        var srcStride = new int[rank];
        for (int i = 0; i < rank; i++) { outShape[i] = x.shape[perm[i]]; srcStride[i] = inStrides[perm[i]]; }
        var dst = GC.AllocateUninitializedArray<T>(x.Length);
        var src = x.Data;
        if (dst.Length > 0 && rank > 0)
        {
            int inner = outShape[rank - 1], rows = dst.Length / inner, step = srcStride[rank - 1];
            Parallelism.For(rows, inner, (s, e) =>
            {
                for (int r = s; r < e; r++)
                {
                    int off = 0, rr = r;
                    for (int d = rank - 2; d >= 0; d--) { off += rr % outShape[d] * srcStride[d]; rr /= outShape[d]; }
                    var row = dst.AsSpan(r * inner, inner);
                    for (int j = 0; j < inner; j++) row[j] = src[off + j * step];
                }
            });
        }
        else if (dst.Length > 0) dst[0] = src[0];
        var inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        var r = new Tensor<T>(outShape, dst);
        return Autograd.Record(r, "permute", [x], (g, n) => [Permute(g, inverse)]);
    }

    /// <summary>Elements start … start+length−1 along <paramref name="axis"/>.</summary>
    public static Tensor<T> Slice<T>(this Tensor<T> x, int axis, int start, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int a = Shapes.Axis(axis, x.Rank, "slice");
        if (start < 0 || length < 0 || start + length > x.shape[a])
            throw new InvalidParameterException("slice", $"range [{start}, {start + length}) is outside axis {a} of {Shapes.Format(x.shape)}.");
        int outer = Shapes.Product(x.shape, 0, a), n = x.shape[a], inner = Shapes.Product(x.shape, a + 1, x.Rank);
        var outShape = (int[])x.shape.Clone();
        outShape[a] = length;
        var dst = GC.AllocateUninitializedArray<T>(outer * length * inner);
        for (int o = 0; o < outer; o++)
            Array.Copy(x.Data, (o * n + start) * inner, dst, o * length * inner, length * inner);
        var r = new Tensor<T>(outShape, dst);
        return Autograd.Record(r, "slice", [x], (g, nd) => [SliceAdjoint(g, x.shape, a, start)]);
    }

    /// <summary>Concatenation along <paramref name="axis"/>; other extents must agree.</summary>
    public static Tensor<T> Concat<T>(IReadOnlyList<Tensor<T>> parts, int axis) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parts.Count == 0) throw new InvalidParameterException("concat", "needs at least one tensor.");
        var first = parts[0];
        int a = Shapes.Axis(axis, first.Rank, "concat");
        int total = 0;
        foreach (var p in parts)
        {
            bool ok = p.Rank == first.Rank;
            for (int i = 0; ok && i < p.Rank; i++) ok = i == a || p.shape[i] == first.shape[i];
            if (!ok) throw new ShapeMismatchException($"concat: {Shapes.Format(p.shape)} does not match {Shapes.Format(first.shape)} outside axis {a}.");
            total += p.shape[a];
        }
        int outer = Shapes.Product(first.shape, 0, a), inner = Shapes.Product(first.shape, a + 1, first.Rank);
        var outShape = (int[])first.shape.Clone();
        outShape[a] = total;
        var dst = GC.AllocateUninitializedArray<T>(outer * total * inner);
        var starts = new int[parts.Count];
        for (int k = 0, at = 0; k < parts.Count; k++)
        {
            var p = parts[k];
            int len = p.shape[a];
            starts[k] = at;
            for (int o = 0; o < outer; o++)
                Array.Copy(p.Data, o * len * inner, dst, (o * total + at) * inner, len * inner);
            at += len;
        }
        var r = new Tensor<T>(outShape, dst);
        var inputs = parts.ToArray();
        return Autograd.Record(r, "concat", inputs, (g, n) =>
        {
            var grads = new Tensor<T>?[inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
                if (n[k]) grads[k] = Slice(g, a, starts[k], inputs[k].shape[a]);
            return grads;
        });
    }

    // Zeros of fullShape with g placed at [start, start+len) along axis: the adjoint of Slice (its own adjoint is Slice).
    private static Tensor<T> SliceAdjoint<T>(Tensor<T> g, int[] fullShape, int axis, int start) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = Shapes.Product(fullShape, 0, axis), n = fullShape[axis], len = g.shape[axis];
        int inner = Shapes.Product(fullShape, axis + 1, fullShape.Length);
        var dst = new T[Shapes.Numel(fullShape)];
        for (int o = 0; o < outer; o++)
            Array.Copy(g.Data, o * len * inner, dst, (o * n + start) * inner, len * inner);
        var r = new Tensor<T>((int[])fullShape.Clone(), dst);
        return Autograd.Record(r, "sliceAdjoint", [g], (gg, nd) => [Slice(gg, axis, start, len)]);
    }
}
