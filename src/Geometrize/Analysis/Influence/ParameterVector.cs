using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// The flat view θ ∈ ℝᵖ of a list of parameter tensors (tensor after tensor, each row-major), in double, as the
/// linear algebra of influence functions works on one vector.
/// </summary>
public static class ParameterVector
{
    /// <summary>Total number of entries p.</summary>
    public static int Count<T>(IReadOnlyList<Tensor<T>> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = 0;
        foreach (var t in tensors) p += t.Length;
        if (p > int.MaxValue) throw new InvalidParameterException("parameters", $"{p} parameters do not fit one vector.");
        return (int)p;
    }

    /// <summary>Copies the tensors' values into <paramref name="destination"/> (length p).</summary>
    public static void Gather<T>(IReadOnlyList<Tensor<T>> tensors, Span<double> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = 0;
        foreach (var t in tensors)
        {
            var d = t.Data;
            for (int i = 0; i < d.Length; i++) destination[o + i] = double.CreateTruncating(d[i]);
            o += d.Length;
        }
        if (o != destination.Length) throw new InvalidParameterException("parameters", $"vector has {destination.Length} entries, the tensors {o}.");
    }

    /// <summary>Writes <paramref name="source"/> (length p) into the tensors' storage.</summary>
    public static void Scatter<T>(ReadOnlySpan<double> source, IReadOnlyList<Tensor<T>> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = 0;
        foreach (var t in tensors)
        {
            var d = t.Data;
            if (o + d.Length > source.Length) break;
            for (int i = 0; i < d.Length; i++) d[i] = T.CreateTruncating(source[o + i]);
            o += d.Length;
        }
        if (o != source.Length) throw new InvalidParameterException("parameters", $"vector has {source.Length} entries, the tensors {Count(tensors)}.");
    }

    /// <summary>New detached tensors shaped like <paramref name="like"/> holding the slices of <paramref name="source"/>.</summary>
    public static Tensor<T>[] ToTensors<T>(ReadOnlySpan<double> source, IReadOnlyList<Tensor<T>> like) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new Tensor<T>[like.Count];
        for (int k = 0; k < like.Count; k++) result[k] = Tensor<T>.Zeros([.. like[k].Shape]);
        Scatter(source, result);
        return result;
    }

    /// <summary>Euclidean norm of a vector, accumulated in double.</summary>
    public static double Norm(ReadOnlySpan<double> v) => System.Numerics.Tensors.TensorPrimitives.Norm(v);
}
