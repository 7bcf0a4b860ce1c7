using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Optimization;

/// <summary>BLAS-1 operations on parameter vectors, SIMD through TensorPrimitives, reductions in double.</summary>
internal static class VectorOps<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Euclidean dot product, accumulated in double over chunks so float vectors stay accurate.</summary>
    public static double Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b) => Reductions.Dot(a, b);

    /// <summary>y ← y + a·x.</summary>
    public static void Axpy(double a, ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.MultiplyAdd(x, T.CreateTruncating(a), y, y);

    /// <summary>dest ← x + a·d.</summary>
    public static void Step(ReadOnlySpan<T> x, double a, ReadOnlySpan<T> d, Span<T> dest) => TensorPrimitives.MultiplyAdd(d, T.CreateTruncating(a), x, dest);

    /// <summary>x ← a·x.</summary>
    public static void Scale(double a, Span<T> x) => TensorPrimitives.Multiply(x, T.CreateTruncating(a), x);
}
