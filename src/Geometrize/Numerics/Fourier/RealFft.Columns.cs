using System.Numerics;
using System.Runtime.CompilerServices;

namespace Geometrize.Numerics.Fourier;

public sealed unsafe partial class RealFft<T>
{
    /// <summary>
    /// Complex transforms along y or z of the half spectrum, in place. The columns of one plane are contiguous
    /// along x, so a block of <c>Lanes</c> neighbouring columns is copied row by row into the batched layout
    /// (a de-interleave of contiguous memory, no strided gather per column), transformed, and copied back.
    /// The inverse uses IDFT = swap ∘ DFT ∘ swap, i.e. the copies exchange the real and imaginary slots.
    /// </summary>
    /// <param name="plan">Transform along the axis.</param>
    /// <param name="start">First work unit (plane × column block).</param>
    /// <param name="end">End of the work units.</param>
    /// <param name="cols">Columns per plane (complex values between two samples of the axis).</param>
    /// <param name="stride">Distance, in complex values, between consecutive samples of one column.</param>
    /// <param name="planeStride">Distance, in complex values, between planes (0 when there is one plane).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Columns(BatchedFft<T> plan, int start, int end, int cols, int stride, long planeStride)
    {
        int lanes = BatchedFft<T>.Lanes, r = BatchedFft<T>.RowLength, n = plan.Length;
        int blocks = (cols + lanes - 1) / lanes;
        int reOff = _inverse ? lanes : 0;
        var ws = _pool.Rent(out int slot);
        try
        {
            for (int u = start; u < end; u++)
            {
                int plane = u / blocks, c0 = u % blocks * lanes, w = Math.Min(lanes, cols - c0);
                T* basePtr = _spec + 2 * (plane * planeStride + c0);
                Span<T> a = ws.A, b = ws.B;
                ref T a0 = ref a[0];
                for (int j = 0; j < n; j++)
                    LoadRow(basePtr + 2L * j * stride, w, ref Unsafe.Add(ref a0, j * r), reOff);
                var res = plan.Transform(a, b);
                ref T q0 = ref res[0];
                for (int j = 0; j < n; j++)
                    StoreRow(ref Unsafe.Add(ref q0, j * r), basePtr + 2L * j * stride, w, reOff);
            }
        }
        finally { _pool.Return(slot); }
    }
}
