using System.Numerics;
using System.Numerics.Tensors;

namespace Geometrize.Autodiff;

public static partial class TensorOps
{
    /// <summary>Rows of <paramref name="x"/> (slices along axis 0) at <paramref name="indices"/>, in that order; repeats allowed.</summary>
    /// <exception cref="InvalidParameterException">An index is outside [0, x.Shape[0]).</exception>
    public static Tensor<T> IndexSelect<T>(this Tensor<T> x, int[] indices) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank < 1) throw new ShapeMismatchException("indexSelect: needs a tensor of rank ≥ 1, got a scalar.");
        int rows = x.shape[0], inner = x.Length / Math.Max(1, rows);
        CheckIndices(indices, rows, "indexSelect");
        var outShape = (int[])x.shape.Clone();
        outShape[0] = indices.Length;
        var dst = GC.AllocateUninitializedArray<T>(indices.Length * inner);
        for (int i = 0; i < indices.Length; i++) Array.Copy(x.Data, indices[i] * inner, dst, i * inner, inner);
        var r = new Tensor<T>(outShape, dst);
        return Autograd.Record(r, "indexSelect", [x], (g, n) => [IndexAdd(g, indices, rows)]);
    }

    /// <summary>
    /// Scatter-add: a tensor with <paramref name="rows"/> rows where row indices[i] accumulates row i of
    /// <paramref name="source"/>. The adjoint of <see cref="IndexSelect{T}"/>.
    /// </summary>
    public static Tensor<T> IndexAdd<T>(this Tensor<T> source, int[] indices, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (source.Rank < 1 || source.shape[0] != indices.Length)
            throw new ShapeMismatchException($"indexAdd: source {Shapes.Format(source.shape)} needs one row per index ({indices.Length}).");
        CheckIndices(indices, rows, "indexAdd");
        int inner = indices.Length == 0 ? Shapes.Product(source.shape, 1, source.Rank) : source.Length / indices.Length;
        var outShape = (int[])source.shape.Clone();
        outShape[0] = rows;
        var dst = new T[rows * inner];
        for (int i = 0; i < indices.Length; i++)
        {
            var d = dst.AsSpan(indices[i] * inner, inner);
            TensorPrimitives.Add(d, source.Data.AsSpan(i * inner, inner), d);
        }
        var r = new Tensor<T>(outShape, dst);
        return Autograd.Record(r, "indexAdd", [source], (g, n) => [IndexSelect(g, indices)]);
    }

    /// <summary>Per-row pick: out[i] = x[i, labels[i]] for x of shape [batch, classes] (the class-score gather of cross-entropy).</summary>
    /// <exception cref="InvalidParameterException">A label is outside [0, classes) or the label count differs from the batch.</exception>
    public static Tensor<T> Pick<T>(this Tensor<T> x, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank != 2) throw new ShapeMismatchException($"pick: needs [batch, classes], got {Shapes.Format(x.shape)}.");
        int batch = x.shape[0], classes = x.shape[1];
        if (labels.Length != batch) throw new InvalidParameterException("labels", $"{labels.Length} labels for a batch of {batch} rows.");
        CheckIndices(labels, classes, "labels");
        var dst = GC.AllocateUninitializedArray<T>(batch);
        for (int i = 0; i < batch; i++) dst[i] = x.Data[i * classes + labels[i]];
        var r = new Tensor<T>([batch], dst);
        return Autograd.Record(r, "pick", [x], (g, n) => [PickAdjoint(g, labels, classes)]);
    }

    // One-hot placement of g[i] at column labels[i]: the adjoint of Pick (whose adjoint is Pick again).
    private static Tensor<T> PickAdjoint<T>(Tensor<T> g, int[] labels, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = labels.Length;
        var dst = new T[batch * classes];
        for (int i = 0; i < batch; i++) dst[i * classes + labels[i]] = g.Data[i];
        var r = new Tensor<T>([batch, classes], dst);
        return Autograd.Record(r, "pickAdjoint", [g], (gg, n) => [Pick(gg, labels)]);
    }

    /// <summary>
    /// Index of the largest entry of each row of x [batch, classes] (the predicted class; first index on ties).
    /// Not differentiable: returns plain integers.
    /// </summary>
    public static int[] ArgMax<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank != 2 || x.shape[1] == 0) throw new ShapeMismatchException($"argMax: needs [batch, classes] with classes ≥ 1, got {Shapes.Format(x.shape)}.");
        int batch = x.shape[0], classes = x.shape[1];
        var result = new int[batch];
        for (int i = 0; i < batch; i++) result[i] = TensorPrimitives.IndexOfMax<T>(x.Data.AsSpan(i * classes, classes));
        return result;
    }

    private static void CheckIndices(int[] indices, int count, string name)
    {
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)count)
                throw new InvalidParameterException(name, $"index {indices[i]} at position {i} is outside [0, {count}).");
    }
}
