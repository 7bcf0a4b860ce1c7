using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Geometrize.Numerics;

/// <summary>
/// Linear (bilinear / trilinear) interpolation of scalar and vector fields at arbitrary points, the forward
/// half of semi-Lagrangian transport. Its exact adjoint (splatting) is in <see cref="InterpolationAdjoint"/>.
/// </summary>
/// <remarks>
/// <para><b>Convention.</b> Sampling points are <b>continuous voxel indices of the sampled field</b>, given as a
/// <see cref="VectorField{T}"/> with d components on the <i>output</i> grid: component a of the points at output
/// voxel x is the index coordinate along axis a where the field is read. The identity map of a grid onto itself is
/// therefore x ↦ x (see <see cref="DisplacementFields.IdentityMap{T}"/>); physical displacements convert with
/// <see cref="DisplacementFields.PhysicalToIndexMap{T}"/>. The output grid and the sampled grid may differ.</para>
/// <para><b>Boundaries.</b> See <see cref="BoundaryMode"/>: Zero fades to 0 across the last cell, Border clamps,
/// Periodic wraps. With Zero/Border, NaN and −∞ read as below the grid and +∞ as above it; with Periodic every
/// non-finite coordinate reads as 0.</para>
/// <para><b>Cost.</b> Gather-bound: a tight scalar loop with precomputed strides and no bounds checks, parallel over
/// output rows; nothing is allocated per point.</para>
/// </remarks>
public static class Interpolation
{
    /// <summary>result(x) = field(points(x)) for a scalar field.</summary>
    public static void Interpolate<T>(ScalarField<T> field, VectorField<T> points, ScalarField<T> result, BoundaryMode mode = BoundaryMode.Border)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.SameGrid(points.Geometry, result.Geometry, "sampling points and interpolation output");
        FieldRequirements.NotAliased(field.Data, result.Data, "interpolation");
        Sample(field.Geometry, field.Data, 1, points, result.Data, mode);
    }

    /// <summary>result(x) = field(points(x)) for every component of a vector field (any component count).</summary>
    public static void Interpolate<T>(VectorField<T> field, VectorField<T> points, VectorField<T> result, BoundaryMode mode = BoundaryMode.Border)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.SameGrid(points.Geometry, result.Geometry, "sampling points and interpolation output");
        FieldRequirements.Components(result, field.Components, "interpolation output");
        FieldRequirements.NotAliased(field.Data, result.Data, "interpolation");
        Sample(field.Geometry, field.Data, field.Components, points, result.Data, mode);
    }

    /// <summary>
    /// The interpolated value and its derivative w.r.t. the sampling point, ∂value/∂points_a (per index unit
    /// of the sampled grid), as needed for adjoints w.r.t. a map. Inside a cell the derivative is exact; on
    /// a cell face the cell on the upper side is used.
    /// </summary>
    public static void InterpolateWithGradient<T>(ScalarField<T> field, VectorField<T> points, ScalarField<T> value, VectorField<T> gradient,
        BoundaryMode mode = BoundaryMode.Border) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = field.Geometry;
        int d = g.Dimension;
        FieldRequirements.Components(points, d, "sampling points");
        FieldRequirements.SameGrid(points.Geometry, value.Geometry, "sampling points and interpolated values");
        FieldRequirements.SameGrid(points.Geometry, gradient.Geometry, "sampling points and interpolation gradient");
        FieldRequirements.Components(gradient, d, "interpolation gradient");
        FieldRequirements.NotAliased(field.Data, value.Data, "interpolation");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, np = points.Count, rowLen = points.Geometry.Nx;
        T[] f = field.Data, p = points.Data, v = value.Data, gr = gradient.Data;
        Parallelism.For(np / rowLen, (long)rowLen * 40, (r0, r1) => GradientRows(f, p, v, gr, np, nx, ny, nz, d, mode, r0 * rowLen, r1 * rowLen));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T At<T>(ref T f0, int offset) => Unsafe.Add(ref f0, offset);

    /// <summary>Samples <paramref name="components"/> blocks of <paramref name="f"/> (grid <paramref name="g"/>) at the points into <paramref name="result"/>.</summary>
    internal static void Sample<T>(ImageGeometry g, T[] f, int components, VectorField<T> points, T[] result, BoundaryMode mode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = g.Dimension;
        FieldRequirements.Components(points, d, "sampling points");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, nf = g.Count, np = points.Count, rowLen = points.Geometry.Nx;
        if (f.Length != nf * components || result.Length != np * components)
            throw new GridMismatchException("field and output sizes disagree with their grids and component counts.");
        T[] p = points.Data;
        Parallelism.For(np / rowLen, (long)rowLen * (20 + 8 * components), (r0, r1) => SampleRows(f, nf, components, p, np, result, nx, ny, nz, d, mode, r0 * rowLen, r1 * rowLen));
    }

    // Hot loops live in their own methods, compiled fully optimised at once: a lambda body runs only a few times per
    // call, so tiered compilation would leave it in on-stack-replacement code that does not inline the stencils.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientRows<T>(T[] f, T[] p, T[] v, T[] gr, int np, int nx, int ny, int nz, int d, BoundaryMode mode, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz);
        ref T f0 = ref MemoryMarshal.GetArrayDataReference(f);
        for (int i = start; i < end; i++)
        {
            var sx = AxisStencil<T>.Locate(p[i], nx, nxT, mode);
            var sy = AxisStencil<T>.Locate(p[np + i], ny, nyT, mode);
            if (d == 2)
            {
                int o0 = sy.I0 * nx, o1 = sy.I1 * nx;
                T a00 = At(ref f0, o0 + sx.I0), a01 = At(ref f0, o0 + sx.I1), a10 = At(ref f0, o1 + sx.I0), a11 = At(ref f0, o1 + sx.I1);
                T lo = sx.W0 * a00 + sx.W1 * a01, hi = sx.W0 * a10 + sx.W1 * a11;
                v[i] = sy.W0 * lo + sy.W1 * hi;
                gr[i] = sy.W0 * (sx.M1 * a01 - sx.M0 * a00) + sy.W1 * (sx.M1 * a11 - sx.M0 * a10);
                gr[np + i] = sy.M1 * hi - sy.M0 * lo;
            }
            else
            {
                var sz = AxisStencil<T>.Locate(p[2 * np + i], nz, nzT, mode);
                int p0 = sz.I0 * ny, p1 = sz.I1 * ny;
                int o00 = (p0 + sy.I0) * nx, o01 = (p0 + sy.I1) * nx, o10 = (p1 + sy.I0) * nx, o11 = (p1 + sy.I1) * nx;
                T a000 = At(ref f0, o00 + sx.I0), a001 = At(ref f0, o00 + sx.I1);
                T a010 = At(ref f0, o01 + sx.I0), a011 = At(ref f0, o01 + sx.I1);
                T a100 = At(ref f0, o10 + sx.I0), a101 = At(ref f0, o10 + sx.I1);
                T a110 = At(ref f0, o11 + sx.I0), a111 = At(ref f0, o11 + sx.I1);
                // Along x, then y, then z; the derivative of each stage uses the derivative weights of its axis.
                T x00 = sx.W0 * a000 + sx.W1 * a001, x01 = sx.W0 * a010 + sx.W1 * a011;
                T x10 = sx.W0 * a100 + sx.W1 * a101, x11 = sx.W0 * a110 + sx.W1 * a111;
                T dx00 = sx.M1 * a001 - sx.M0 * a000, dx01 = sx.M1 * a011 - sx.M0 * a010;
                T dx10 = sx.M1 * a101 - sx.M0 * a100, dx11 = sx.M1 * a111 - sx.M0 * a110;
                T y0 = sy.W0 * x00 + sy.W1 * x01, y1 = sy.W0 * x10 + sy.W1 * x11;
                v[i] = sz.W0 * y0 + sz.W1 * y1;
                gr[i] = sz.W0 * (sy.W0 * dx00 + sy.W1 * dx01) + sz.W1 * (sy.W0 * dx10 + sy.W1 * dx11);
                gr[np + i] = sz.W0 * (sy.M1 * x01 - sy.M0 * x00) + sz.W1 * (sy.M1 * x11 - sy.M0 * x10);
                gr[2 * np + i] = sz.M1 * y1 - sz.M0 * y0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SampleRows<T>(T[] f, int nf, int components, T[] p, int np, T[] result, int nx, int ny, int nz, int d, BoundaryMode mode, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz);
        ref T f0 = ref MemoryMarshal.GetArrayDataReference(f);
        ref T o0 = ref MemoryMarshal.GetArrayDataReference(result);
        for (int i = start; i < end; i++)
        {
            var sx = AxisStencil<T>.Locate(p[i], nx, nxT, mode);
            var sy = AxisStencil<T>.Locate(p[np + i], ny, nyT, mode);
            if (d == 2)
            {
                var c = CellStencil<T>.Build2(sx, sy, nx);
                for (int k = 0; k < components; k++)
                {
                    ref T fk = ref Unsafe.Add(ref f0, k * nf);
                    Unsafe.Add(ref o0, k * np + i) = c.Weight[0] * Unsafe.Add(ref fk, c.Offset[0]) + c.Weight[1] * Unsafe.Add(ref fk, c.Offset[1])
                        + c.Weight[2] * Unsafe.Add(ref fk, c.Offset[2]) + c.Weight[3] * Unsafe.Add(ref fk, c.Offset[3]);
                }
            }
            else
            {
                var sz = AxisStencil<T>.Locate(p[2 * np + i], nz, nzT, mode);
                if (components == 1)
                {
                    // The common case (image transport): x, then y, then z lerps straight from the gathers.
                    int q0 = sz.I0 * ny, q1 = sz.I1 * ny;
                    int o00 = (q0 + sy.I0) * nx, o01 = (q0 + sy.I1) * nx, o10 = (q1 + sy.I0) * nx, o11 = (q1 + sy.I1) * nx;
                    T x00 = sx.W0 * Unsafe.Add(ref f0, o00 + sx.I0) + sx.W1 * Unsafe.Add(ref f0, o00 + sx.I1);
                    T x01 = sx.W0 * Unsafe.Add(ref f0, o01 + sx.I0) + sx.W1 * Unsafe.Add(ref f0, o01 + sx.I1);
                    T x10 = sx.W0 * Unsafe.Add(ref f0, o10 + sx.I0) + sx.W1 * Unsafe.Add(ref f0, o10 + sx.I1);
                    T x11 = sx.W0 * Unsafe.Add(ref f0, o11 + sx.I0) + sx.W1 * Unsafe.Add(ref f0, o11 + sx.I1);
                    Unsafe.Add(ref o0, i) = sz.W0 * (sy.W0 * x00 + sy.W1 * x01) + sz.W1 * (sy.W0 * x10 + sy.W1 * x11);
                    continue;
                }
                var c = CellStencil<T>.Build3(sx, sy, sz, nx, ny);
                for (int k = 0; k < components; k++)
                {
                    ref T fk = ref Unsafe.Add(ref f0, k * nf);
                    Unsafe.Add(ref o0, k * np + i) = c.Weight[0] * Unsafe.Add(ref fk, c.Offset[0]) + c.Weight[1] * Unsafe.Add(ref fk, c.Offset[1])
                        + c.Weight[2] * Unsafe.Add(ref fk, c.Offset[2]) + c.Weight[3] * Unsafe.Add(ref fk, c.Offset[3])
                        + c.Weight[4] * Unsafe.Add(ref fk, c.Offset[4]) + c.Weight[5] * Unsafe.Add(ref fk, c.Offset[5])
                        + c.Weight[6] * Unsafe.Add(ref fk, c.Offset[6]) + c.Weight[7] * Unsafe.Add(ref fk, c.Offset[7]);
                }
            }
        }
    }
}
