using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Geometrize.Numerics;

/// <summary>
/// Moving fields between grids: linear resampling onto any <see cref="ImageGeometry"/> (general directions) and
/// Gaussian-prefiltered shrinking for multiresolution pyramids. Prolongation of velocity or momentum fields to a
/// finer level is <see cref="ResampleLinear{T}(VectorField{T}, VectorField{T}, BoundaryMode)"/> onto the finer grid.
/// </summary>
/// <remarks>
/// Positions are matched in physical space: output voxel x reads the source at the continuous index
/// <c>PhysicalToIndex_src(IndexToPhysical_dst(x))</c>. That map is affine, so it is evaluated once per output row
/// (start + x·step) and the inner loop is the interpolation gather. Vector values are copied as they are (physical
/// LPS vectors stay valid on any grid); a momentum density that should scale with the voxel volume must be rescaled
/// by the caller.
/// </remarks>
public static class Resampling
{
    /// <summary>Resamples <paramref name="source"/> onto the grid of <paramref name="destination"/> by linear interpolation.</summary>
    public static void ResampleLinear<T>(ScalarField<T> source, ScalarField<T> destination, BoundaryMode mode = BoundaryMode.Border)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.NotAliased(source.Data, destination.Data, "resampling");
        SampleAtPhysical(source.Geometry, source.Data, 1, destination.Geometry, destination.Data, null, mode);
    }

    /// <summary>Resamples every component of <paramref name="source"/> onto the grid of <paramref name="destination"/>.</summary>
    public static void ResampleLinear<T>(VectorField<T> source, VectorField<T> destination, BoundaryMode mode = BoundaryMode.Border)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.Components(destination, source.Components, "resampling output");
        FieldRequirements.NotAliased(source.Data, destination.Data, "resampling");
        SampleAtPhysical(source.Geometry, source.Data, source.Components, destination.Geometry, destination.Data, null, mode);
    }

    /// <summary>The grid a shrink by <paramref name="factors"/> produces: ⌊N/f⌋ voxels per axis (at least 1), corners aligned.</summary>
    public static ImageGeometry ShrunkGeometry(ImageGeometry geometry, ReadOnlySpan<int> factors)
    {
        int d = geometry.Dimension;
        if (factors.Length != d) throw new InvalidParameterException("shrink factors", $"need {d} values (one per axis), got {factors.Length}.");
        Span<int> size = stackalloc int[d];
        for (int a = 0; a < d; a++)
        {
            if (factors[a] < 1) throw new InvalidParameterException("shrink factors", $"axis {a} factor is {factors[a]}; factors must be at least 1.");
            size[a] = Math.Max(1, geometry.Size[a] / factors[a]);
        }
        return geometry.Resized(size);
    }

    /// <summary>
    /// One pyramid level: Gaussian prefilter with σ = factor/2 voxels per axis (as ANTs does; no smoothing along axes
    /// with factor 1), then linear sampling at the voxel centres of <see cref="ShrunkGeometry"/>.
    /// Allocates the result and a temporary (pyramids are built once per registration, not per iteration).
    /// </summary>
    public static ScalarField<T> Shrink<T>(ScalarField<T> field, ReadOnlySpan<int> factors) where T : unmanaged, IFloatingPointIeee754<T>
        => Shrink(field, factors, 0);

    /// <summary>
    /// <see cref="Shrink{T}(ScalarField{T}, ReadOnlySpan{int})"/> with a Gaussian of at least
    /// <paramref name="minimumSigma"/> voxels along every axis, including axes that are not shrunk: a registration's
    /// finest level reads its images by linear interpolation, whose sub-voxel blur varies with the phase of the
    /// sampling point; a little smoothing band-limits the images so that this artefact no longer pulls the estimate.
    /// </summary>
    public static ScalarField<T> Shrink<T>(ScalarField<T> field, ReadOnlySpan<int> factors, double minimumSigma) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(minimumSigma >= 0) || !double.IsFinite(minimumSigma))
            throw new InvalidParameterException("smoothing", $"must be zero or positive (voxels), got {minimumSigma}.");
        var target = ShrunkGeometry(field.Geometry, factors);
        var smoothed = new ScalarField<T>(field.Geometry);
        new GaussianSmoother<T>(field.Geometry, PrefilterSigma(field.Geometry, factors, minimumSigma)).Apply(field, smoothed);
        if (target.IsSameGrid(field.Geometry)) return smoothed;
        var result = new ScalarField<T>(target);
        ResampleLinear(smoothed, result, BoundaryMode.Border);
        return result;
    }

    /// <summary>Vector version of <see cref="Shrink{T}(ScalarField{T}, ReadOnlySpan{int})"/>, component by component.</summary>
    public static VectorField<T> Shrink<T>(VectorField<T> field, ReadOnlySpan<int> factors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var target = ShrunkGeometry(field.Geometry, factors);
        var smoothed = new VectorField<T>(field.Geometry, field.Components);
        new GaussianSmoother<T>(field.Geometry, PrefilterSigma(field.Geometry, factors, 0)).Apply(field, smoothed);
        var result = new VectorField<T>(target, field.Components);
        ResampleLinear(smoothed, result, BoundaryMode.Border);
        return result;
    }

    private static double[] PrefilterSigma(ImageGeometry g, ReadOnlySpan<int> factors, double minimumSigma)
    {
        var sigma = new double[g.Dimension];
        for (int a = 0; a < sigma.Length; a++)
            sigma[a] = Math.Max(factors[a] > 1 ? 0.5 * factors[a] : 0, minimumSigma) * g.Spacing[a];
        return sigma;
    }

    /// <summary>
    /// For every voxel x of <paramref name="dg"/>: reads <paramref name="src"/> (grid <paramref name="sg"/>) at the physical point
    /// p(x) + w(x) (w = <paramref name="displacement"/>, physical, on <paramref name="dg"/>; absent = 0) and writes
    /// w(x) + value (or the value alone without w). Shared by resampling and displacement composition.
    /// </summary>
    internal static void SampleAtPhysical<T>(ImageGeometry sg, T[] src, int components, ImageGeometry dg, T[] dst, T[]? displacement,
        BoundaryMode mode) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = sg.Dimension;
        if (dg.Dimension != d) throw new GridMismatchException($"cannot resample a {d}-D field onto a {dg.Dimension}-D grid ({dg}).");
        if (src.Length != sg.Count * components || dst.Length != dg.Count * components)
            throw new GridMismatchException("field sizes disagree with their grids and component counts.");
        if (displacement is not null && (components != d || displacement.Length != dg.Count * d))
            throw new GridMismatchException($"composition needs {d}-component displacement fields on matching grids.");
        // index_src = B·x + c + M·w with B = M_src·A_dst, c = M_src·(O_dst − O_src), M = M_src.
        var m = sg.PhysicalToIndexMatrix;
        var a = dg.IndexToPhysicalMatrix;
        var affine = new double[d * d + d];
        for (int r = 0; r < d; r++)
        {
            double c = 0;
            for (int k = 0; k < d; k++)
            {
                c += m[r * d + k] * (dg.Origin[k] - sg.Origin[k]);
                double b = 0;
                for (int j = 0; j < d; j++) b += m[r * d + j] * a[j * d + k];
                affine[r * d + k] = b;
            }
            affine[d * d + r] = c;
        }
        var mT = new T[d * d];
        for (int i = 0; i < d * d; i++) mT[i] = T.CreateTruncating(m[i]);
        int snx = sg.Nx, sny = sg.Ny, snz = sg.Nz;
        int dnx = dg.Nx, dny = dg.Ny;
        Parallelism.For(dny * dg.Nz, (long)dnx * (30 + 8 * components),
            (r0, r1) => SampleRows(src, components, snx, sny, snz, dst, dnx, dny, displacement, affine, mT, d, mode, r0, r1));
    }

    // Compiled fully optimised at once: the row loop must inline the stencils (see Interpolation).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SampleRows<T>(T[] src, int components, int snx, int sny, int snz, T[] dst, int dnx, int dny, T[]? displacement,
        double[] affine, T[] mT, int d, BoundaryMode mode, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ns = snx * sny * snz, nd = dst.Length / components;
        T nxT = T.CreateTruncating(snx), nyT = T.CreateTruncating(sny), nzT = T.CreateTruncating(snz);
        Span<double> start = stackalloc double[3];
        Span<T> q = stackalloc T[3];
        ref T s0 = ref MemoryMarshal.GetArrayDataReference(src);
        for (int row = r0; row < r1; row++)
        {
            int y = row % dny, z = row / dny;
            for (int r = 0; r < d; r++)
                start[r] = affine[d * d + r] + affine[r * d + 1] * y + (d == 3 ? affine[r * d + 2] * z : 0);
            for (int x = 0, i = row * dnx; x < dnx; x++, i++)
            {
                for (int r = 0; r < d; r++)
                {
                    T v = T.CreateTruncating(start[r] + affine[r * d] * x);
                    if (displacement is not null)
                        for (int k = 0; k < d; k++) v += mT[r * d + k] * displacement[k * nd + i];
                    q[r] = v;
                }
                var sx = AxisStencil<T>.Locate(q[0], snx, nxT, mode);
                var sy = AxisStencil<T>.Locate(q[1], sny, nyT, mode);
                CellStencil<T> cell;
                int corners;
                if (d == 2) { cell = CellStencil<T>.Build2(sx, sy, snx); corners = 4; }
                else { cell = CellStencil<T>.Build3(sx, sy, AxisStencil<T>.Locate(q[2], snz, nzT, mode), snx, sny); corners = 8; }
                for (int k = 0; k < components; k++)
                {
                    ref T fk = ref Unsafe.Add(ref s0, k * ns);
                    T v = T.Zero;
                    for (int c = 0; c < corners; c++) v += cell.Weight[c] * Unsafe.Add(ref fk, cell.Offset[c]);
                    if (displacement is not null) v += displacement[k * nd + i];
                    dst[k * nd + i] = v;
                }
            }
        }
    }
}
