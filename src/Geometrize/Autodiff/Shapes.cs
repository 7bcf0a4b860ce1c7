namespace Geometrize.Autodiff;

/// <summary>Shape arithmetic shared by the tensor operations: element counts, broadcasting, axes.</summary>
internal static class Shapes
{
    /// <summary>Number of elements of a shape; validates that every extent is non-negative and the count fits an int.</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new InvalidParameterException("shape", $"extents must be non-negative, got {Format(shape)}.");
            n *= d;
            if (n > Array.MaxLength) throw new InvalidParameterException("shape", $"{Format(shape)} has more elements than an array can hold.");
        }
        return (int)n;
    }

    /// <summary>"[2, 3]" for messages.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>NumPy broadcasting: shapes aligned on the right, each pair of extents equal or one of them 1.</summary>
    public static int[] Broadcast(int[] a, int[] b, string op)
    {
        int r = Math.Max(a.Length, b.Length);
        var result = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Length ? 1 : a[i - (r - a.Length)];
            int db = i < r - b.Length ? 1 : b[i - (r - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (extents {da} and {db} at output axis {i}).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>
    /// Strides of <paramref name="shape"/> seen through the broadcast <paramref name="outShape"/>: right-aligned,
    /// with stride 0 on axes the operand repeats.
    /// </summary>
    public static int[] BroadcastStrides(int[] shape, int[] outShape)
    {
        int r = outShape.Length, offset = r - shape.Length;
        var strides = new int[r];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i + offset] = shape[i] == 1 && outShape[i + offset] != 1 ? 0 : s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>Maps a possibly negative axis (−1 = last) to [0, rank).</summary>
    public static int Axis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new InvalidParameterException(op, $"axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }

    /// <summary>True when both shapes have the same rank and extents.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Product of extents over [from, to).</summary>
    public static int Product(int[] shape, int from, int to)
    {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }
}
