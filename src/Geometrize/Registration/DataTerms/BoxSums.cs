using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Registration.DataTerms;

/// <summary>
/// Box sums over windows of side 2r + 1 truncated at the grid border: out(x) = Σ_{y ∈ W(x)} in(y) with
/// W(x) = {y : |y_a − x_a| ≤ r} ∩ grid. Separable running sums: along x a scalar running sum per row (accumulated in
/// double), along y and z whole rows are added and subtracted with SIMD (out_y = out_{y−1} + in_{y+r} − in_{y−r−1}).
/// Because the truncated window is symmetric (y ∈ W(x) ⇔ x ∈ W(y)), the operator is self-adjoint, which is what the
/// local-NCC gradient uses. Two scratch arrays are allocated at construction; <see cref="Apply"/> allocates nothing.
/// </summary>
internal sealed class BoxSums<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Block = 256; // columns per work item of the y/z passes
    private readonly ImageGeometry _g;
    private readonly int _r, _nx, _ny, _nz, _xBlocks;
    private readonly T[] _tmp1, _tmp2;
    private readonly Action<int, int> _xPass, _yPass, _zPass;
    private T[] _src = [], _dst = [];

    /// <summary>Prepares box sums of radius <paramref name="radius"/> on <paramref name="geometry"/>.</summary>
    public BoxSums(ImageGeometry geometry, int radius)
    {
        _g = geometry;
        _r = radius;
        _nx = geometry.Nx; _ny = geometry.Ny; _nz = geometry.Nz;
        _xBlocks = (_nx + Block - 1) / Block;
        _tmp1 = new T[geometry.Count];
        _tmp2 = new T[geometry.Count];
        _xPass = XPass;
        _yPass = YPass;
        _zPass = ZPass;
        Counts = new int[3][];
        int[] sizes = [_nx, _ny, _nz];
        for (int a = 0; a < 3; a++)
        {
            Counts[a] = new int[sizes[a]];
            for (int i = 0; i < sizes[a]; i++) Counts[a][i] = Math.Min(sizes[a] - 1, i + radius) - Math.Max(0, i - radius) + 1;
        }
    }

    /// <summary>The grid.</summary>
    public ImageGeometry Geometry => _g;

    /// <summary>Per axis (x, y, z), the number of window positions inside the grid; |W(x)| is their product.</summary>
    public int[][] Counts { get; }

    /// <summary>Box-sums <paramref name="source"/> into <paramref name="destination"/>; the two may be the same array.</summary>
    public void Apply(T[] source, T[] destination)
    {
        if (_g.Dimension == 2)
        {
            Run(_xPass, source, _tmp1, _ny * _nz);
            Run(_yPass, _tmp1, destination, _nz * _xBlocks);
        }
        else
        {
            Run(_xPass, source, _tmp1, _ny * _nz);
            Run(_yPass, _tmp1, _tmp2, _nz * _xBlocks);
            Run(_zPass, _tmp2, destination, _ny * _xBlocks);
        }
        _src = _dst = [];
    }

    private void Run(Action<int, int> pass, T[] src, T[] dst, int items)
    {
        _src = src;
        _dst = dst;
        Parallelism.For(items, (long)_g.Count / Math.Max(1, items) * 3, pass);
    }

    private void XPass(int r0, int r1)
    {
        int nx = _nx, r = _r;
        T[] src = _src, dst = _dst;
        for (int row = r0; row < r1; row++)
        {
            int o = row * nx;
            double s = 0;
            for (int j = 0; j <= Math.Min(r, nx - 1); j++) s += double.CreateTruncating(src[o + j]);
            dst[o] = T.CreateTruncating(s);
            for (int x = 1; x < nx; x++)
            {
                if (x + r < nx) s += double.CreateTruncating(src[o + x + r]);
                if (x - r - 1 >= 0) s -= double.CreateTruncating(src[o + x - r - 1]);
                dst[o + x] = T.CreateTruncating(s);
            }
        }
    }

    private void YPass(int i0, int i1)
    {
        for (int item = i0; item < i1; item++)
        {
            int z = item / _xBlocks, b = item % _xBlocks;
            RunningSum(z * _nx * _ny + b * Block, Math.Min(Block, _nx - b * Block), _nx, _ny);
        }
    }

    private void ZPass(int i0, int i1)
    {
        for (int item = i0; item < i1; item++)
        {
            int y = item / _xBlocks, b = item % _xBlocks;
            RunningSum(y * _nx + b * Block, Math.Min(Block, _nx - b * Block), _nx * _ny, _nz);
        }
    }

    /// <summary>Running sum along a strided axis for a block of <paramref name="width"/> contiguous columns.</summary>
    private void RunningSum(int offset, int width, int stride, int length)
    {
        var src = _src.AsSpan();
        var dst = _dst.AsSpan();
        int r = _r;
        var first = dst.Slice(offset, width);
        src.Slice(offset, width).CopyTo(first);
        for (int j = 1; j <= Math.Min(r, length - 1); j++) TensorPrimitives.Add(first, src.Slice(offset + j * stride, width), first);
        for (int k = 1; k < length; k++)
        {
            var cur = dst.Slice(offset + k * stride, width);
            var prev = dst.Slice(offset + (k - 1) * stride, width);
            if (k + r < length) TensorPrimitives.Add(prev, src.Slice(offset + (k + r) * stride, width), cur);
            else prev.CopyTo(cur);
            if (k - r - 1 >= 0) TensorPrimitives.Subtract(cur, src.Slice(offset + (k - r - 1) * stride, width), cur);
        }
    }
}
