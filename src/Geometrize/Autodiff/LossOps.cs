using System.Numerics;

namespace Geometrize.Autodiff;

public static partial class TensorOps
{
    /// <summary>
    /// log softmax over the last axis, computed as x − max − log Σ exp(x − max) (no overflow). Backward:
    /// g − softmax ⊙ Σ g, with softmax = exp(output), so it is differentiable again.
    /// </summary>
    public static Tensor<T> LogSoftmax<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank < 1 || x.shape[^1] == 0) throw new ShapeMismatchException($"logSoftmax: needs a non-empty last axis, got {Shapes.Format(x.shape)}.");
        int c = x.shape[^1], rows = x.Length / c;
        var dst = GC.AllocateUninitializedArray<T>(x.Length);
        var src = x.Data;
        Numerics.Parallelism.For(rows, 4L * c, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var row = src.AsSpan(r * c, c);
                var o = dst.AsSpan(r * c, c);
                T max = System.Numerics.Tensors.TensorPrimitives.Max<T>(row);
                double sum = 0;
                for (int j = 0; j < c; j++) sum += Math.Exp(double.CreateTruncating(row[j] - max));
                T shift = max + T.CreateTruncating(Math.Log(sum));
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, shift, o);
            }
        });
        Tensor<T> result = new((int[])x.shape.Clone(), dst);
        return Autograd.Record(result, "logSoftmax", [x], (g, n) => [Sub(g, Mul(Exp(result), Sum(g, -1, keepDim: true)))]);
    }

    /// <summary>softmax over the last axis, exp(log softmax).</summary>
    public static Tensor<T> Softmax<T>(this Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Exp(LogSoftmax(x));

    /// <summary>Mean cross-entropy −(1/B) Σ_i log softmax(logits_i)[labels_i] of logits [batch, classes] and integer labels.</summary>
    /// <exception cref="InvalidParameterException">A label is outside [0, classes) or the label count differs from the batch.</exception>
    public static Tensor<T> CrossEntropy<T>(this Tensor<T> logits, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.Rank != 2) throw new ShapeMismatchException($"crossEntropy: logits must be [batch, classes], got {Shapes.Format(logits.shape)}.");
        if (logits.shape[0] == 0) throw new InvalidParameterException("labels", "cross-entropy of an empty batch is undefined.");
        return Neg(Mean(Pick(LogSoftmax(logits), labels)));
    }

    /// <summary>Mean squared error (1/n) Σ (prediction − target)²; the shapes must be equal (no broadcasting, to catch [B] vs [B,1]).</summary>
    public static Tensor<T> Mse<T>(this Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Shapes.Equal(prediction.shape, target.shape))
            throw new ShapeMismatchException($"mse: prediction {Shapes.Format(prediction.shape)} and target {Shapes.Format(target.shape)} differ in shape.");
        return Mean(Square(Sub(prediction, target)));
    }
}
