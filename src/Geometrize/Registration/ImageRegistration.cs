using System.Diagnostics;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// Registration of two images as files give them: checks, resampling of the moving image onto the fixed grid,
/// intensity normalisation, the multiscale optimisation in float32, and the results in the fixed image's physical
/// space and the original intensity units.
/// </summary>
/// <remarks>
/// <para><b>Steps.</b> (1) validate the settings; (2) both images must be scalar, of the same dimension and finite;
/// (3) the moving image is resampled onto the fixed grid in physical space (linear; outside it the background, see
/// below), and the registration is refused when fewer than 1 % of the fixed voxel centres lie inside the moving
/// image's voxel footprint; (4) both intensities are mapped jointly to [0, 1] by (v − min)/(max − min) over both
/// images, so σ means the same on every scan; (5) <see cref="MultiscaleRegistration{T}"/> runs; (6) the maps are
/// converted to ITK/ANTs physical displacements on the fixed grid and the moving image is warped.</para>
/// <para><b>Background.</b> Outside the moving image the value is the joint minimum intensity (0 after
/// normalisation): the moving image is read with <see cref="BoundaryMode.Zero"/> in normalised units.</para>
/// <para><b>Warped image.</b> The original moving image is interpolated once at the physical points x + u(x) (u the
/// final displacement), so the fixed→moving resampling and the deformation are composed, not applied one after the
/// other. Points x + u(x) that leave the fixed grid's box are first clamped to it (per axis, in the fixed grid's
/// index space), which is what the problems' border-clamped transport of the resampled moving image computes; so
/// <see cref="RegistrationResult.Warped"/> is the image the optimiser scored, up to one resampling.</para>
/// </remarks>
public static class ImageRegistration
{
    /// <summary>Smallest accepted fraction of fixed voxels inside the moving image.</summary>
    public const double MinimumOverlap = 0.01;

    /// <summary>Registers <paramref name="movingImage"/> to <paramref name="fixedImage"/> with the method of <paramref name="settings"/>.</summary>
    public static RegistrationResult Run(Image fixedImage, Image movingImage, RegistrationSettings settings,
        IProgress<RegistrationProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return Run(fixedImage, movingImage, settings, RegistrationProblems.FactoryFor(settings.Method), progress, cancel);
    }

    /// <summary>Registers <paramref name="movingImage"/> to <paramref name="fixedImage"/> with problems built by <paramref name="factory"/>.</summary>
    public static RegistrationResult Run(Image fixedImage, Image movingImage, RegistrationSettings settings, ProblemFactory<float> factory,
        IProgress<RegistrationProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(factory);
        var clock = Stopwatch.StartNew();
        settings.Validate();
        CheckInputs(fixedImage, movingImage);
        var fg = fixedImage.Geometry;
        var mg = movingImage.Geometry;
        double overlap = Overlap(fg, mg);
        if (overlap < MinimumOverlap)
            throw new GeometrizeException(
                $"the fixed and moving images barely overlap in physical space ({overlap:P1} of the fixed voxels lie inside the moving image; at least {MinimumOverlap:P0} is needed). " +
                $"Fixed: {fg}; moving: {mg}. Check the origins and directions in the headers, or align the images first.");

        // Joint normalisation to [0, 1].
        var (fMin, fMax) = Range(fixedImage.Data);
        var (mMin, mMax) = Range(movingImage.Data);
        double min = Math.Min(fMin, mMin), range = Math.Max(fMax, mMax) - min;
        if (!(range > 0)) range = 1;
        var fixed01 = Normalised(fixedImage.AsScalarField(), min, range);
        var moving01 = Normalised(movingImage.AsScalarField(), min, range);
        var movingOnFixed01 = new ScalarField<float>(fg);
        Resampling.ResampleLinear(moving01, movingOnFixed01, BoundaryMode.Zero);

        var ms = new MultiscaleRegistration<float>(settings, factory).Run(fixed01, movingOnFixed01, progress, cancel);
        cancel.ThrowIfCancellationRequested();

        var problem = ms.Problem;
        var pg = problem.Geometry;
        var map = new VectorField<float>(pg);
        var levelDisplacement = new VectorField<float>(pg);
        problem.InverseMap(ms.Parameters, map);
        DisplacementFields.IndexMapToPhysical(map, pg, levelDisplacement);
        var displacement = OnGrid(levelDisplacement, fg);
        problem.ForwardMap(ms.Parameters, map);
        DisplacementFields.IndexMapToPhysical(map, pg, levelDisplacement);
        var inverseDisplacement = OnGrid(levelDisplacement, fg);

        var jacobian = new ScalarField<float>(fg);
        Jacobian.DisplacementDeterminant(displacement, jacobian);
        var (jMin, jMax) = Range(jacobian.Data);

        // Warped: the original moving image read once at x + u(x), with x + u(x) clamped to the fixed grid's box as
        // the problems' border-clamped transport of the resampled moving image does.
        var movingMap = new VectorField<float>(fg);
        DisplacementFields.PhysicalToIndexMap(displacement, fg, movingMap);
        ClampToGrid(movingMap);
        var clamped = new VectorField<float>(fg);
        DisplacementFields.IndexMapToPhysical(movingMap, fg, clamped);
        DisplacementFields.PhysicalToIndexMap(clamped, mg, movingMap);
        var warped01 = new ScalarField<float>(fg);
        if (settings.FinalInterpolation == WarpInterpolation.Cubic)
            BSplineInterpolation.Interpolate(moving01, movingMap, warped01, BoundaryMode.Zero);
        else
            Interpolation.Interpolate(moving01, movingMap, warped01, BoundaryMode.Zero);
        var warped = Denormalised(warped01, min, range);
        var movingOnFixed = Denormalised(movingOnFixed01, min, range);
        var fixedField = fixedImage.AsScalarField();

        VectorField<float>? momentum = null;
        ScalarField<float>? scalarMomentum = null;
        int d = fg.Dimension;
        if (problem.Method == RegistrationProblems.Name(RegistrationMethod.Shooting) && problem.ParameterComponents == d)
            momentum = OnGrid(GridToPhysical(new VectorField<float>(problem.ParameterGeometry, (float[])ms.Parameters.Clone(), d)), fg);
        else if ((problem.Method == RegistrationProblems.Name(RegistrationMethod.ShootingScalar) || problem is IIntensityChangeProblem<float>)
            && problem.ParameterComponents == 1)
            scalarMomentum = OnGrid(new ScalarField<float>(problem.ParameterGeometry, (float[])ms.Parameters.Clone()), fg);

        // Metamorphosis: the matched image is the geometric warp plus the accumulated intensity change.
        ScalarField<float>? change = null;
        ScalarField<float>[]? path = null;
        var matched = warped;
        if (problem is IIntensityChangeProblem<float> intensity)
        {
            (change, path) = IntensityChangeResults.Compute(intensity, pg, ms.Parameters, fg, min, range);
            matched = new ScalarField<float>(fg);
            System.Numerics.Tensors.TensorPrimitives.Add(warped.Span, change.Span, matched.Span);
        }

        return new RegistrationResult
        {
            Method = problem.Method,
            Settings = settings,
            Seconds = clock.Elapsed.TotalSeconds,
            Iterations = ms.Iterations,
            History = ms.History,
            FinalEnergy = ms.FinalEnergy,
            Warped = new Image(fg, warped.Data, 1, fixedImage.SourceType),
            MovingOnFixedGrid = new Image(fg, movingOnFixed.Data, 1, movingImage.SourceType),
            Displacement = displacement,
            InverseDisplacement = inverseDisplacement,
            Jacobian = jacobian,
            Momentum = momentum,
            ScalarMomentum = scalarMomentum,
            MseBefore = MeanSquaredError(fixedField.Data, movingOnFixed.Data),
            MseAfter = MeanSquaredError(fixedField.Data, matched.Data),
            NccBefore = NccDataTerm<float>.Correlation(fixedField.Data, movingOnFixed.Data),
            NccAfter = NccDataTerm<float>.Correlation(fixedField.Data, matched.Data),
            IntensityChange = change,
            PathImages = path,
            MseAfterDeformationOnly = change != null ? MeanSquaredError(fixedField.Data, warped.Data) : double.NaN,
            JacobianMin = jMin,
            JacobianMax = jMax,
        };
    }

    /// <summary>Fraction of the fixed grid's voxel centres that lie inside the moving image's voxel footprint [−½, N − ½]^d.</summary>
    public static double Overlap(ImageGeometry fixedGeometry, ImageGeometry movingGeometry)
    {
        int d = fixedGeometry.Dimension;
        if (movingGeometry.Dimension != d) return 0;
        // index_moving = B·i + c with B = M_m·A_f, c = M_m·(O_f − O_m).
        var m = movingGeometry.PhysicalToIndexMatrix;
        var a = fixedGeometry.IndexToPhysicalMatrix;
        var b = new double[d * d];
        var c = new double[d];
        for (int r = 0; r < d; r++)
            for (int k = 0; k < d; k++)
            {
                c[r] += m[r * d + k] * (fixedGeometry.Origin[k] - movingGeometry.Origin[k]);
                for (int j = 0; j < d; j++) b[r * d + k] += m[r * d + j] * a[j * d + k];
            }
        long inside = 0;
        int nx = fixedGeometry.Nx, ny = fixedGeometry.Ny, nz = fixedGeometry.Nz;
        Span<double> q = stackalloc double[3];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    bool ok = true;
                    for (int r = 0; r < d && ok; r++)
                    {
                        q[r] = c[r] + b[r * d] * x + b[r * d + 1] * y + (d == 3 ? b[r * d + 2] * z : 0);
                        ok = q[r] >= -0.5 && q[r] <= movingGeometry.Size[r] - 0.5;
                    }
                    if (ok) inside++;
                }
        return (double)inside / fixedGeometry.Count;
    }

    /// <summary>Mean squared difference of two equally long arrays (double accumulation).</summary>
    public static double MeanSquaredError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) { double r = (double)a[i] - b[i]; s += r * r; }
        return a.Length == 0 ? 0 : s / a.Length;
    }

    private static void CheckInputs(Image fixedImage, Image movingImage)
    {
        ArgumentNullException.ThrowIfNull(fixedImage);
        ArgumentNullException.ThrowIfNull(movingImage);
        if (fixedImage.Components != 1)
            throw new InvalidParameterException("--fixed", $"has {fixedImage.Components} components per voxel; registration needs a scalar (gray-level) image.");
        if (movingImage.Components != 1)
            throw new InvalidParameterException("--moving", $"has {movingImage.Components} components per voxel; registration needs a scalar (gray-level) image.");
        if (fixedImage.Dimension != movingImage.Dimension)
            throw new GridMismatchException(
                $"the fixed image is {fixedImage.Dimension}-D ({fixedImage.Geometry}) but the moving image is {movingImage.Dimension}-D ({movingImage.Geometry}); " +
                "register images of the same dimension (extract a slice from the 3-D one first).");
        fixedImage.RequireFinite("fixed image (--fixed)");
        movingImage.RequireFinite("moving image (--moving)");
    }

    private static (double Min, double Max) Range(ReadOnlySpan<float> data)
    {
        if (data.IsEmpty) return (0, 0);
        return (System.Numerics.Tensors.TensorPrimitives.Min(data), System.Numerics.Tensors.TensorPrimitives.Max(data));
    }

    private static ScalarField<float> Normalised(ScalarField<float> f, double min, double range)
    {
        var r = new ScalarField<float>(f.Geometry);
        for (int i = 0; i < r.Count; i++) r.Data[i] = (float)((f.Data[i] - min) / range);
        return r;
    }

    private static ScalarField<float> Denormalised(ScalarField<float> f, double min, double range)
    {
        var r = new ScalarField<float>(f.Geometry);
        for (int i = 0; i < r.Count; i++) r.Data[i] = (float)(min + range * f.Data[i]);
        return r;
    }

    /// <summary>Clamps every component a of an index map on its own grid to [0, N_a − 1].</summary>
    private static void ClampToGrid(VectorField<float> map)
    {
        var g = map.Geometry;
        for (int a = 0; a < g.Dimension; a++)
        {
            float hi = g.Size[a] - 1;
            var c = map.Component(a);
            for (int i = 0; i < c.Length; i++) c[i] = Math.Clamp(c[i], 0, hi);
        }
    }

    /// <summary>A field on <paramref name="target"/>: itself when already there, else resampled linearly (border clamping).</summary>
    private static VectorField<float> OnGrid(VectorField<float> field, ImageGeometry target)
    {
        if (field.Geometry.IsSameGrid(target)) return field.Clone();
        var r = new VectorField<float>(target, field.Components);
        Resampling.ResampleLinear(field, r, BoundaryMode.Border);
        return r;
    }

    private static ScalarField<float> OnGrid(ScalarField<float> field, ImageGeometry target)
    {
        if (field.Geometry.IsSameGrid(target)) return field;
        var r = new ScalarField<float>(target);
        Resampling.ResampleLinear(field, r, BoundaryMode.Border);
        return r;
    }

    /// <summary>Vectors with components along the grid axes → LPS components: v_LPS = Direction · v.</summary>
    private static VectorField<float> GridToPhysical(VectorField<float> v)
    {
        var g = v.Geometry;
        if (g.IsAxisAligned) return v;
        int d = g.Dimension, n = g.Count;
        var dir = g.Direction;
        var r = new VectorField<float>(g, d);
        for (int row = 0; row < d; row++)
            for (int col = 0; col < d; col++)
            {
                float w = (float)dir[row * d + col];
                if (w == 0) continue;
                var src = v.Component(col);
                var dst = r.Component(row);
                for (int i = 0; i < n; i++) dst[i] += w * src[i];
            }
        return r;
    }
}
