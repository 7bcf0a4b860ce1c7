using System.Numerics;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Autodiff;

public static partial class TensorOps
{
    /// <summary>
    /// Matrix product op(a)·op(b), where op transposes the last two axes when asked. Supported: 2-D × 2-D;
    /// batched 3-D × 3-D with equal batch; 3-D × 2-D (the matrix applied to every batch entry). The kernel is
    /// <see cref="Gemm.Multiply{T}"/>; the transposes are flags to it, never materialised, in forward and backward.
    /// </summary>
    /// <exception cref="ShapeMismatchException">Ranks or inner dimensions do not fit.</exception>
    public static Tensor<T> MatMul<T>(this Tensor<T> a, Tensor<T> b, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank == 3 && b.Rank == 2 && !transposeA)
        {
            int batch = a.shape[0], m = a.shape[1];
            var flat = MatMulCore(Reshape(a, batch * m, a.shape[2]), b, false, transposeB);
            return Reshape(flat, batch, m, flat.shape[1]);
        }
        return MatMulCore(a, b, transposeA, transposeB);
    }

    /// <summary>
    /// Affine map x·Wᵀ + b with W stored [out, in] as PyTorch's Linear layer (so weights exchange without transposing).
    /// x is [batch, in] (or [batch, tokens, in]); bias, when given, is [out].
    /// </summary>
    public static Tensor<T> Linear<T>(this Tensor<T> x, Tensor<T> weight, Tensor<T>? bias = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weight.Rank != 2) throw new ShapeMismatchException($"linear: weight must be [out, in], got {Shapes.Format(weight.shape)}.");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != weight.shape[0]))
            throw new ShapeMismatchException($"linear: bias must be [{weight.shape[0]}] for weight {Shapes.Format(weight.shape)}, got {Shapes.Format(bias.shape)}.");
        var y = MatMul(x, weight, transposeB: true);
        return bias is null ? y : Add(y, bias);
    }

    private static Tensor<T> MatMulCore<T>(Tensor<T> a, Tensor<T> b, bool ta, bool tb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool batched = a.Rank == 3 && b.Rank == 3;
        if (!batched && !(a.Rank == 2 && b.Rank == 2))
            throw new ShapeMismatchException($"matmul: needs 2-D × 2-D, 3-D × 3-D or 3-D × 2-D operands, got {Shapes.Format(a.shape)} × {Shapes.Format(b.shape)}.");
        int batch = batched ? a.shape[0] : 1, off = batched ? 1 : 0;
        if (batched && b.shape[0] != batch)
            throw new ShapeMismatchException($"matmul: batch sizes differ, {Shapes.Format(a.shape)} × {Shapes.Format(b.shape)}.");
        int m = ta ? a.shape[off + 1] : a.shape[off], k = ta ? a.shape[off] : a.shape[off + 1];
        int kb = tb ? b.shape[off + 1] : b.shape[off], n = tb ? b.shape[off] : b.shape[off + 1];
        if (k != kb)
            throw new ShapeMismatchException($"matmul: inner dimensions differ, {Shapes.Format(a.shape)}{(ta ? "ᵀ" : "")} × {Shapes.Format(b.shape)}{(tb ? "ᵀ" : "")} ({k} vs {kb}).");
        var outShape = batched ? new[] { batch, m, n } : new[] { m, n };
        var c = GC.AllocateUninitializedArray<T>(batch * m * n);
        var tA = ta ? Numerics.LinearAlgebra.Transpose.Yes : Numerics.LinearAlgebra.Transpose.No;
        var tB = tb ? Numerics.LinearAlgebra.Transpose.Yes : Numerics.LinearAlgebra.Transpose.No;
        for (int p = 0; p < batch; p++)
            Gemm.Multiply<T>(a.Data.AsSpan(p * m * k, m * k), b.Data.AsSpan(p * k * n, k * n), c.AsSpan(p * m * n, m * n), m, n, k, tA, tB);
        var r = new Tensor<T>(outShape, c);
        // C = op(A)·op(B): ∂/∂op(A) = G·op(B)ᵀ, ∂/∂op(B) = op(A)ᵀ·G, transposed back when the operand was used transposed.
        return Autograd.Record(r, "matmul", [a, b], (g, nd) =>
        [
            nd[0] ? (ta ? MatMulCore(b, g, tb, true) : MatMulCore(g, b, false, !tb)) : null,
            nd[1] ? (tb ? MatMulCore(g, a, true, ta) : MatMulCore(a, g, !ta, false)) : null,
        ]);
    }
}
