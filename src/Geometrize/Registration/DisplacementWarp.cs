using Geometrize.Imaging;
using Geometrize.Numerics;

namespace Geometrize.Registration;

/// <summary>How <see cref="DisplacementWarp"/> reads the input image between voxels.</summary>
public enum WarpInterpolation
{
    /// <summary>Bilinear / trilinear interpolation (intensity images).</summary>
    Linear,
    /// <summary>Nearest neighbour (label maps: values are copied exactly, never blended).</summary>
    Nearest,
    /// <summary>
    /// Cubic B-spline interpolation (<see cref="BSplineInterpolation"/>): keeps edges sharp where linear reading blurs
    /// them; may overshoot slightly at steps (intensity images only).
    /// </summary>
    Cubic,
}

/// <summary>
/// Applies a displacement field written by a registration (ITK/ANTs convention: physical LPS vectors, the point p
/// maps to p + u(p)) to any image, producing an image on a reference grid. This is what <c>geometrize apply</c>
/// does, usable from C#.
/// </summary>
/// <remarks>
/// <para>For every voxel of the reference grid with physical position p, the output is the input image read at
/// the physical point p + u(p). u lives on its own grid (the fixed image's, for a registration result); when that
/// differs from the reference grid, u is first resampled onto the reference grid by linear interpolation, holding
/// the border displacement beyond the field's extent (so a reference grid covering the same region at another
/// resolution gets no artificial fall-off at its edges).</para>
/// <para>Outside the input image the value is 0: linear reading uses <see cref="BoundaryMode.Zero"/> (the value
/// fades to 0 across the half voxel beyond the outermost voxel centres), nearest reading returns 0 for points
/// whose nearest voxel does not exist. Multi-component inputs are warped component by component (the vectors
/// are not reoriented).</para>
/// </remarks>
public static class DisplacementWarp
{
    /// <summary>
    /// The input image read at p + u(p) for every voxel p of <paramref name="reference"/>. Linear and cubic output is float32;
    /// nearest-neighbour output keeps <paramref name="input"/>'s <see cref="Image.SourceType"/>, since it only copies values.
    /// </summary>
    /// <param name="input">Image to warp (any grid of the same dimension).</param>
    /// <param name="displacement">Physical displacement u with d components (see <see cref="RequireDisplacement"/>).</param>
    /// <param name="reference">The output grid.</param>
    /// <param name="interpolation">Linear or cubic for intensities, nearest for label maps.</param>
    public static Image Warp(Image input, VectorField<float> displacement, ImageGeometry reference,
        WarpInterpolation interpolation = WarpInterpolation.Linear)
    {
        int d = reference.Dimension;
        if (input.Dimension != d)
            throw new GridMismatchException($"the input image is {input.Dimension}-D but the reference grid is {d}-D; warp an image of the reference's dimension.");
        if (displacement.Geometry.Dimension != d)
            throw new GridMismatchException($"the displacement field is {displacement.Geometry.Dimension}-D but the reference grid is {d}-D; use the transform of a registration of {d}-D images.");
        if (displacement.Components != d)
            throw new GridMismatchException($"the displacement field has {displacement.Components} components; a {d}-D displacement needs {d}.");

        var u = displacement;
        if (!displacement.Geometry.IsSameGrid(reference))
        {
            u = new VectorField<float>(reference, d);
            Resampling.ResampleLinear(displacement, u, BoundaryMode.Border);
        }
        var map = new VectorField<float>(u.Geometry, d);
        DisplacementFields.PhysicalToIndexMap(u, input.Geometry, map);

        var source = new VectorField<float>(input.Geometry, input.Data, input.Components);
        var result = new VectorField<float>(u.Geometry, input.Components);
        switch (interpolation)
        {
            case WarpInterpolation.Linear: Interpolation.Interpolate(source, map, result, BoundaryMode.Zero); break;
            case WarpInterpolation.Cubic: BSplineInterpolation.Interpolate(source, map, result, BoundaryMode.Zero); break;
            default: SampleNearest(source, map, result); break;
        }
        var type = interpolation == WarpInterpolation.Nearest ? input.SourceType : PixelType.Float32;
        return new Image(reference, result.Data, input.Components, type);
    }

    /// <summary>The command-line name of an interpolation: linear, cubic or nearest.</summary>
    public static string Name(WarpInterpolation interpolation) => interpolation.ToString().ToLowerInvariant();

    /// <summary>Parses linear, cubic (also bspline) or nearest; <paramref name="option"/> names the option in the error.</summary>
    /// <exception cref="InvalidParameterException">Any other text.</exception>
    public static WarpInterpolation ParseInterpolation(string text, string option) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "linear" => WarpInterpolation.Linear,
        "cubic" or "bspline" => WarpInterpolation.Cubic,
        "nearest" => WarpInterpolation.Nearest,
        _ => throw new InvalidParameterException(option, $"unknown interpolation '{text}'; use linear, cubic or nearest."),
    };

    /// <summary>
    /// Checks that <paramref name="image"/> (read from <paramref name="name"/>) is a displacement field — as many
    /// components as spatial dimensions, all values finite — and returns it as a vector field sharing storage.
    /// </summary>
    public static VectorField<float> RequireDisplacement(Image image, string name)
    {
        int d = image.Dimension;
        if (image.Components != d)
            throw new GridMismatchException($"{name}: has {image.Components} component(s) per voxel on a {d}-D grid; a displacement field needs {d} (one physical vector per voxel, as 'geometrize register' writes displacement.nii.gz).");
        image.RequireFinite(name);
        return image.AsVectorField();
    }

    /// <summary>result(x) = source at the voxel nearest to map(x) (continuous indices), or 0 beyond the grid.</summary>
    private static void SampleNearest(VectorField<float> source, VectorField<float> map, VectorField<float> result)
    {
        var sg = source.Geometry;
        int d = sg.Dimension, snx = sg.Nx, sny = sg.Ny, snz = sg.Nz, ns = sg.Count;
        int n = map.Count, rowLen = map.Geometry.Nx, comps = source.Components;
        float[] m = map.Data, s = source.Data, r = result.Data;
        Parallelism.For(n / rowLen, (long)rowLen * (8 + 2 * comps), (r0, r1) =>
        {
            for (int i = r0 * rowLen, end = r1 * rowLen; i < end; i++)
            {
                int ix = Nearest(m[i], snx), iy = Nearest(m[n + i], sny), iz = d == 3 ? Nearest(m[2 * n + i], snz) : 0;
                bool inside = ix >= 0 && iy >= 0 && iz >= 0;
                int at = ix + snx * (iy + sny * iz);
                for (int k = 0; k < comps; k++) r[k * n + i] = inside ? s[k * ns + at] : 0f;
            }
        });
    }

    /// <summary>The nearest index in [0, count), or −1 when the coordinate is outside [−½, count − ½) or not finite.</summary>
    private static int Nearest(float q, int count)
    {
        // Rounding halves up keeps a point exactly between two voxels deterministic.
        double i = Math.Floor(q + 0.5);
        return i >= 0 && i < count ? (int)i : -1;
    }
}
