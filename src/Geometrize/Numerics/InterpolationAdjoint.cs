using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Geometrize.Numerics;

/// <summary>
/// Reusable integer scratch for <see cref="InterpolationAdjoint"/>: the points bucketed by the slab (z-plane in 3-D,
/// y-row in 2-D) of their lower and upper cell corners. It grows on first use for a larger problem and is then
/// reused, so repeated splats (every time step of a backward pass) allocate nothing. Not thread-safe: use one
/// workspace per concurrent caller.
/// </summary>
public sealed class SplatWorkspace
{
    internal int[] LowerKey = [], UpperKey = [], LowerOrder = [], UpperOrder = [], LowerStart = [], UpperStart = [], Cursor = [];

    /// <summary>An empty workspace; buffers are sized on first use.</summary>
    public SplatWorkspace() { }

    /// <summary>A workspace presized for <paramref name="points"/> points splatted into a grid with <paramref name="slabs"/> slabs.</summary>
    public SplatWorkspace(int points, int slabs) => Ensure(points, slabs);

    internal void Ensure(int points, int slabs)
    {
        if (LowerKey.Length < points)
        {
            LowerKey = new int[points]; UpperKey = new int[points];
            LowerOrder = new int[points]; UpperOrder = new int[points];
        }
        if (LowerStart.Length < slabs + 1)
        {
            LowerStart = new int[slabs + 1]; UpperStart = new int[slabs + 1]; Cursor = new int[slabs];
        }
    }
}

/// <summary>
/// Exact adjoint (transpose) of <see cref="Interpolation.Interpolate{T}(ScalarField{T}, VectorField{T}, ScalarField{T}, BoundaryMode)"/>:
/// each point's weight is scattered onto the corners of its cell with the same bilinear/trilinear weights, so
/// ⟨Interp(f, pts), w⟩ = ⟨f, InterpAdjoint(w, pts)⟩ to round-off for every boundary mode (Zero drops the
/// outside corners, Border piles them onto the clamped voxel, Periodic wraps them).
/// </summary>
/// <remarks>
/// <b>Parallel and deterministic.</b> The points are bucketed (stable counting sort) by the slab of their lower and upper
/// cell corners; the output slabs are then processed in parallel, each by one thread, visiting its points in increasing
/// point order (lower-corner bucket first, then upper-corner bucket). Every voxel therefore receives its
/// contributions in the same order whatever the thread count, and no two threads write the same voxel. Scratch lives
/// in a <see cref="SplatWorkspace"/>.
/// </remarks>
public static class InterpolationAdjoint
{
    /// <summary>
    /// Splats scalar <paramref name="weights"/> (on the points' grid) at <paramref name="points"/> (continuous indices of
    /// <paramref name="result"/>'s grid) into <paramref name="result"/>, overwriting it unless <paramref name="accumulate"/>.
    /// </summary>
    public static void InterpolateAdjoint<T>(ScalarField<T> weights, VectorField<T> points, ScalarField<T> result, BoundaryMode mode,
        SplatWorkspace workspace, bool accumulate = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.SameGrid(points.Geometry, weights.Geometry, "sampling points and splat weights");
        FieldRequirements.NotAliased(weights.Data, result.Data, "splat");
        Splat(weights.Data, 1, points, result.Geometry, result.Data, mode, workspace, accumulate);
    }

    /// <summary>Vector version: every component of <paramref name="weights"/> is splatted into the same component of <paramref name="result"/>.</summary>
    public static void InterpolateAdjoint<T>(VectorField<T> weights, VectorField<T> points, VectorField<T> result, BoundaryMode mode,
        SplatWorkspace workspace, bool accumulate = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.SameGrid(points.Geometry, weights.Geometry, "sampling points and splat weights");
        FieldRequirements.Components(result, weights.Components, "splat output");
        FieldRequirements.NotAliased(weights.Data, result.Data, "splat");
        Splat(weights.Data, weights.Components, points, result.Geometry, result.Data, mode, workspace, accumulate);
    }

    private static void Splat<T>(T[] w, int components, VectorField<T> points, ImageGeometry g, T[] result, BoundaryMode mode,
        SplatWorkspace ws, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(ws);
        int d = g.Dimension;
        FieldRequirements.Components(points, d, "sampling points");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, nf = g.Count, np = points.Count;
        int slabs = d == 2 ? ny : nz, slabSize = d == 2 ? nx : nx * ny;
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz), slabT = d == 2 ? nyT : nzT;
        T[] p = points.Data;
        ws.Ensure(np, slabs);
        int[] lowerKey = ws.LowerKey, upperKey = ws.UpperKey;

        // 1. Slab of the lower and upper corners of every point (−1: that half carries no weight in Zero mode).
        Parallelism.For(np, 12, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
            {
                var s = AxisStencil<T>.Locate(p[(d - 1) * np + i], slabs, slabT, mode);
                lowerKey[i] = s.M0 == T.Zero ? -1 : s.I0;
                upperKey[i] = s.M1 == T.Zero ? -1 : s.I1;
            }
        });
        // 2. Stable counting sort into per-slab buckets (sequential: O(points), keeps the order deterministic).
        Bucket(lowerKey, np, slabs, ws.LowerStart, ws.LowerOrder, ws.Cursor);
        Bucket(upperKey, np, slabs, ws.UpperStart, ws.UpperOrder, ws.Cursor);
        int[] lowerStart = ws.LowerStart, upperStart = ws.UpperStart, lowerOrder = ws.LowerOrder, upperOrder = ws.UpperOrder;

        // 3. Each slab owns its voxels; it adds its points' corners lying in it.
        Parallelism.For(slabs, (long)Math.Max(1, np / Math.Max(1, slabs)) * 2 * (20 + 8 * components) + slabSize, (s0, s1) =>
        {
            ref T r0 = ref MemoryMarshal.GetArrayDataReference(result);
            ref T w0 = ref MemoryMarshal.GetArrayDataReference(w);
            for (int s = s0; s < s1; s++)
            {
                if (!accumulate)
                    for (int k = 0; k < components; k++) result.AsSpan(k * nf + s * slabSize, slabSize).Clear();
                for (int half = 0; half < 2; half++)
                {
                    int[] order = half == 0 ? lowerOrder : upperOrder;
                    int[] start = half == 0 ? lowerStart : upperStart;
                    int cFirst = half == 0 ? 0 : (d == 2 ? 2 : 4), cCount = d == 2 ? 2 : 4;
                    for (int b = start[s], e = start[s + 1]; b < e; b++)
                    {
                        int i = order[b];
                        var sx = AxisStencil<T>.Locate(p[i], nx, nxT, mode);
                        var sy = AxisStencil<T>.Locate(p[np + i], ny, nyT, mode);
                        CellStencil<T> c;
                        if (d == 2) c = CellStencil<T>.Build2(sx, sy, nx);
                        else c = CellStencil<T>.Build3(sx, sy, AxisStencil<T>.Locate(p[2 * np + i], nz, nzT, mode), nx, ny);
                        for (int k = 0; k < components; k++)
                        {
                            T wi = Unsafe.Add(ref w0, k * np + i);
                            ref T rk = ref Unsafe.Add(ref r0, k * nf);
                            for (int q = cFirst; q < cFirst + cCount; q++)
                                Unsafe.Add(ref rk, c.Offset[q]) += wi * c.Weight[q];
                        }
                    }
                }
            }
        });
    }

    private static void Bucket(int[] key, int n, int slabs, int[] start, int[] order, int[] cursor)
    {
        Array.Clear(start, 0, slabs + 1);
        for (int i = 0; i < n; i++)
        {
            int k = key[i];
            if (k >= 0) start[k + 1]++;
        }
        for (int s = 0; s < slabs; s++) start[s + 1] += start[s];
        Array.Copy(start, cursor, slabs);
        for (int i = 0; i < n; i++)
        {
            int k = key[i];
            if (k >= 0) order[cursor[k]++] = i;
        }
    }
}
