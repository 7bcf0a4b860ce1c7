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
        Parallelism.For(np, 12, (i0, i1) => SlabKeys(p, (d - 1) * np, slabs, mode, lowerKey, upperKey, i0, i1));
        // 2. Stable counting sort into per-slab buckets (sequential: O(points), keeps the order deterministic).
        Bucket(lowerKey, np, slabs, ws.LowerStart, ws.LowerOrder, ws.Cursor);
        Bucket(upperKey, np, slabs, ws.UpperStart, ws.UpperOrder, ws.Cursor);
        int[] lowerStart = ws.LowerStart, upperStart = ws.UpperStart, lowerOrder = ws.LowerOrder, upperOrder = ws.UpperOrder;

        // 3. Each slab owns its voxels; it adds its points' corners lying in it.
        Parallelism.For(slabs, (long)Math.Max(1, np / Math.Max(1, slabs)) * 2 * (20 + 8 * components) + slabSize,
            (s0, s1) => SplatSlabs(w, components, p, np, result, nx, ny, nz, d, mode, accumulate, ws, s0, s1));
    }

    // Compiled fully optimised at once (see Interpolation): the slab loop must inline the stencils.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplatSlabs<T>(T[] w, int components, T[] p, int np, T[] result, int nx, int ny, int nz, int d, BoundaryMode mode,
        bool accumulate, SplatWorkspace ws, int s0, int s1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz);
        int nf = nx * ny * nz, slabSize = d == 2 ? nx : nx * ny;
        ref T r0 = ref MemoryMarshal.GetArrayDataReference(result);
        ref T w0 = ref MemoryMarshal.GetArrayDataReference(w);
        ref T p0 = ref MemoryMarshal.GetArrayDataReference(p);
        for (int s = s0; s < s1; s++)
        {
            if (!accumulate)
                for (int k = 0; k < components; k++) result.AsSpan(k * nf + s * slabSize, slabSize).Clear();
            for (int half = 0; half < 2; half++)
            {
                int[] order = half == 0 ? ws.LowerOrder : ws.UpperOrder;
                int[] start = half == 0 ? ws.LowerStart : ws.UpperStart;
                int slabOffset = s * slabSize;
                for (int b = start[s], e = start[s + 1]; b < e; b++)
                {
                    int i = order[b];
                    var sx = AxisStencil<T>.Locate(Unsafe.Add(ref p0, i), nx, nxT, mode);
                    T ws0, ws1;
                    int o0, o1;
                    if (d == 2)
                    {
                        // The slab is the y row: only x varies inside it.
                        var sy = AxisStencil<T>.Locate(Unsafe.Add(ref p0, np + i), ny, nyT, mode);
                        T wy = half == 0 ? sy.W0 : sy.W1;
                        ws0 = wy * sx.W0; ws1 = wy * sx.W1;
                        o0 = slabOffset + sx.I0; o1 = slabOffset + sx.I1;
                        for (int k = 0; k < components; k++)
                        {
                            T wi = Unsafe.Add(ref w0, k * np + i);
                            ref T rk = ref Unsafe.Add(ref r0, k * nf);
                            Unsafe.Add(ref rk, o0) += wi * ws0;
                            Unsafe.Add(ref rk, o1) += wi * ws1;
                        }
                    }
                    else
                    {
                        var sy = AxisStencil<T>.Locate(Unsafe.Add(ref p0, np + i), ny, nyT, mode);
                        var sz = AxisStencil<T>.Locate(Unsafe.Add(ref p0, 2 * np + i), nz, nzT, mode);
                        T wz = half == 0 ? sz.W0 : sz.W1;
                        T a0 = wz * sy.W0, a1 = wz * sy.W1;
                        int row0 = slabOffset + sy.I0 * nx, row1 = slabOffset + sy.I1 * nx;
                        T c00 = a0 * sx.W0, c01 = a0 * sx.W1, c10 = a1 * sx.W0, c11 = a1 * sx.W1;
                        for (int k = 0; k < components; k++)
                        {
                            T wi = Unsafe.Add(ref w0, k * np + i);
                            ref T rk = ref Unsafe.Add(ref r0, k * nf);
                            Unsafe.Add(ref rk, row0 + sx.I0) += wi * c00;
                            Unsafe.Add(ref rk, row0 + sx.I1) += wi * c01;
                            Unsafe.Add(ref rk, row1 + sx.I0) += wi * c10;
                            Unsafe.Add(ref rk, row1 + sx.I1) += wi * c11;
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SlabKeys<T>(T[] p, int offset, int slabs, BoundaryMode mode, int[] lowerKey, int[] upperKey, int i0, int i1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T slabT = T.CreateTruncating(slabs);
        for (int i = i0; i < i1; i++)
        {
            var s = AxisStencil<T>.Locate(p[offset + i], slabs, slabT, mode);
            lowerKey[i] = s.M0 == T.Zero ? -1 : s.I0;
            upperKey[i] = s.M1 == T.Zero ? -1 : s.I1;
        }
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
