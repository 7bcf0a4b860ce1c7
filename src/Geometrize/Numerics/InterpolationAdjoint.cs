using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Geometrize.Numerics;

/// <summary>
/// Reusable integer scratch for <see cref="InterpolationAdjoint"/>: the points bucketed by the slab (z-plane in 3-D,
/// y-row in 2-D) of their lower cell corners. It grows on first use for a larger problem and is then reused, so
/// repeated splats (every time step of a backward pass) allocate nothing proportional to the grid. Not thread-safe:
/// use one workspace per concurrent caller.
/// </summary>
public sealed class SplatWorkspace
{
    internal int[] Key = [], Order = [], Start = [], Cursor = [];

    /// <summary>An empty workspace; buffers are sized on first use.</summary>
    public SplatWorkspace() { }

    /// <summary>A workspace presized for <paramref name="points"/> points splatted into a grid with <paramref name="slabs"/> slabs.</summary>
    public SplatWorkspace(int points, int slabs) => Ensure(points, slabs);

    internal void Ensure(int points, int slabs)
    {
        if (Key.Length < points) { Key = new int[points]; Order = new int[points]; }
        // Keys run from −1 (Zero mode: only the upper corner, in slab 0, is inside) to slabs − 1.
        if (Start.Length < slabs + 2) { Start = new int[slabs + 2]; Cursor = new int[slabs + 1]; }
    }
}

/// <summary>
/// Exact adjoint (transpose) of <see cref="Interpolation.Interpolate{T}(ScalarField{T}, VectorField{T}, ScalarField{T}, BoundaryMode)"/>:
/// each point's weight is scattered onto the corners of its cell with the same bilinear/trilinear weights, so
/// ⟨Interp(f, pts), w⟩ = ⟨f, InterpAdjoint(w, pts)⟩ to round-off for every boundary mode (Zero drops the
/// outside corners, Border piles them onto the clamped voxel, Periodic wraps them).
/// </summary>
/// <remarks>
/// <b>Parallel and deterministic.</b> Points are bucketed (stable counting sort) by k, the slab (z-plane in 3-D, y-row
/// in 2-D) of their lower cell corners; a point of bucket k writes only into slabs k and k + 1. Buckets with even k are
/// then processed in parallel (their slab pairs are disjoint), then those with odd k, then — Periodic only — the
/// bucket whose upper corners wrap to slab 0. Inside a bucket the points go in increasing index order. Every voxel
/// thus receives its contributions in one fixed order whatever the thread count, and no two threads ever write the
/// same voxel. Scratch lives in a <see cref="SplatWorkspace"/>.
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

    private const int Dropped = int.MinValue;

    private static void Splat<T>(T[] w, int components, VectorField<T> points, ImageGeometry g, T[] result, BoundaryMode mode,
        SplatWorkspace ws, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(ws);
        int d = g.Dimension;
        FieldRequirements.Components(points, d, "sampling points");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, nf = g.Count, np = points.Count;
        if (w.Length != np * components || result.Length != nf * components)
            throw new GridMismatchException("splat weights and output sizes disagree with their grids and component counts.");
        int slabs = d == 2 ? ny : nz, slabSize = d == 2 ? nx : nx * ny;
        T[] p = points.Data;
        ws.Ensure(np, slabs);
        int[] key = ws.Key;

        // 1. Bucket key of every point: the slab of its lower corners (see SlabKeys).
        Parallelism.For(np, 12, (i0, i1) => SlabKeys(p, (d - 1) * np, slabs, mode, key, i0, i1));
        // 2. Stable counting sort by key (sequential: O(points), fixes the order).
        Bucket(key, np, slabs, ws.Start, ws.Order, ws.Cursor);
        if (!accumulate)
            Parallelism.For(slabs, (long)slabSize * components, (s0, s1) =>
            {
                for (int k = 0; k < components; k++) result.AsSpan(k * nf + s0 * slabSize, (s1 - s0) * slabSize).Clear();
            });
        // 3. Two colours (even / odd k), then the periodic wrap bucket alone.
        bool wrap = mode == BoundaryMode.Periodic && slabs > 1;
        long cost = (long)Math.Max(1, np / slabs) * (30 + 8 * components);
        for (int parity = 0; parity < 2; parity++)
        {
            // Keys of this parity in [−1, slabs − 1]; even: 0, 2, …; odd: −1, 1, 3, …
            int first = parity == 0 ? 0 : -1;
            int last = wrap ? slabs - 2 : slabs - 1;
            int count = last < first ? 0 : (last - first) / 2 + 1;
            Parallelism.For(count, cost, (j0, j1) =>
            {
                for (int j = j0; j < j1; j++)
                    SplatBucket(w, components, p, np, result, nx, ny, nz, d, mode, ws, first + 2 * j);
            });
        }
        if (wrap) SplatBucket(w, components, p, np, result, nx, ny, nz, d, mode, ws, slabs - 1);
    }

    /// <summary>
    /// Key = slab of the lower corners: I0 along the slab axis, or −1 when Zero mode leaves only the upper corner
    /// (in slab 0); <see cref="Dropped"/> when both are outside.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SlabKeys<T>(T[] p, int offset, int slabs, BoundaryMode mode, int[] key, int i0, int i1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T slabT = T.CreateTruncating(slabs);
        for (int i = i0; i < i1; i++)
        {
            var s = AxisStencil<T>.Locate(p[offset + i], slabs, slabT, mode);
            key[i] = s.M0 != T.Zero ? s.I0 : s.M1 != T.Zero ? -1 : Dropped;
        }
    }

    private static void Bucket(int[] key, int n, int slabs, int[] start, int[] order, int[] cursor)
    {
        // Bucket b = key + 1 ∈ [0, slabs]; start has slabs + 2 entries.
        Array.Clear(start, 0, slabs + 2);
        for (int i = 0; i < n; i++)
        {
            int k = key[i];
            if (k != Dropped) start[k + 2]++;
        }
        for (int b = 0; b <= slabs; b++) start[b + 1] += start[b];
        Array.Copy(start, cursor, slabs + 1);
        for (int i = 0; i < n; i++)
        {
            int k = key[i];
            if (k != Dropped) order[cursor[k + 1]++] = i;
        }
    }

    /// <summary>Adds the points of bucket <paramref name="k"/> into slabs k and k + 1 (or their wrapped / clamped images).</summary>
    // Compiled fully optimised at once (see Interpolation): the loop must inline the stencils.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplatBucket<T>(T[] w, int components, T[] p, int np, T[] result, int nx, int ny, int nz, int d, BoundaryMode mode,
        SplatWorkspace ws, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz);
        int nf = nx * ny * nz;
        int[] order = ws.Order;
        ref T r0 = ref MemoryMarshal.GetArrayDataReference(result);
        ref T w0 = ref MemoryMarshal.GetArrayDataReference(w);
        ref T p0 = ref MemoryMarshal.GetArrayDataReference(p);
        for (int b = ws.Start[k + 1], e = ws.Start[k + 2]; b < e; b++)
        {
            int i = order[b];
            var sx = AxisStencil<T>.Locate(Unsafe.Add(ref p0, i), nx, nxT, mode);
            var sy = AxisStencil<T>.Locate(Unsafe.Add(ref p0, np + i), ny, nyT, mode);
            if (d == 2)
            {
                // Slabs are y rows. Halves that Zero mode removed are skipped: their safe index may be another thread's slab.
                int row0 = sy.I0 * nx, row1 = sy.I1 * nx;
                T c00 = sy.W0 * sx.W0, c01 = sy.W0 * sx.W1, c10 = sy.W1 * sx.W0, c11 = sy.W1 * sx.W1;
                bool lower = sy.M0 != T.Zero, upper = sy.M1 != T.Zero;
                for (int c = 0; c < components; c++)
                {
                    T wi = Unsafe.Add(ref w0, c * np + i);
                    ref T rc = ref Unsafe.Add(ref r0, c * nf);
                    if (lower) { Unsafe.Add(ref rc, row0 + sx.I0) += wi * c00; Unsafe.Add(ref rc, row0 + sx.I1) += wi * c01; }
                    if (upper) { Unsafe.Add(ref rc, row1 + sx.I0) += wi * c10; Unsafe.Add(ref rc, row1 + sx.I1) += wi * c11; }
                }
            }
            else
            {
                var sz = AxisStencil<T>.Locate(Unsafe.Add(ref p0, 2 * np + i), nz, nzT, mode);
                int q0 = sz.I0 * ny, q1 = sz.I1 * ny;
                int o00 = (q0 + sy.I0) * nx, o01 = (q0 + sy.I1) * nx, o10 = (q1 + sy.I0) * nx, o11 = (q1 + sy.I1) * nx;
                T a00 = sz.W0 * sy.W0, a01 = sz.W0 * sy.W1, a10 = sz.W1 * sy.W0, a11 = sz.W1 * sy.W1;
                bool lower = sz.M0 != T.Zero, upper = sz.M1 != T.Zero;
                for (int c = 0; c < components; c++)
                {
                    T wi = Unsafe.Add(ref w0, c * np + i);
                    T wx0 = wi * sx.W0, wx1 = wi * sx.W1;
                    ref T rc = ref Unsafe.Add(ref r0, c * nf);
                    if (lower)
                    {
                        Unsafe.Add(ref rc, o00 + sx.I0) += a00 * wx0; Unsafe.Add(ref rc, o00 + sx.I1) += a00 * wx1;
                        Unsafe.Add(ref rc, o01 + sx.I0) += a01 * wx0; Unsafe.Add(ref rc, o01 + sx.I1) += a01 * wx1;
                    }
                    if (upper)
                    {
                        Unsafe.Add(ref rc, o10 + sx.I0) += a10 * wx0; Unsafe.Add(ref rc, o10 + sx.I1) += a10 * wx1;
                        Unsafe.Add(ref rc, o11 + sx.I0) += a11 * wx0; Unsafe.Add(ref rc, o11 + sx.I1) += a11 * wx1;
                    }
                }
            }
        }
    }
}
