using System.Numerics;
using System.Numerics.Tensors;

namespace Geometrize.Numerics;

/// <summary>Reductions over field data, accumulated in double as the house rules ask.</summary>
internal static class Reductions
{
    /// <summary>
    /// Σ a_i·b_i: SIMD dot products over blocks of 4096 values, summed in double, so float32 fields of millions of
    /// voxels keep about double accuracy while the inner loop stays vectorised.
    /// </summary>
    public static double Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = 4096;
        double sum = 0;
        for (int i = 0; i < a.Length; i += block)
        {
            int n = Math.Min(block, a.Length - i);
            sum += double.CreateTruncating(TensorPrimitives.Dot(a.Slice(i, n), b.Slice(i, n)));
        }
        return sum;
    }
}
