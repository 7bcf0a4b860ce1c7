using Geometrize.Imaging;
using Geometrize.Numerics;

namespace Geometrize.Registration;

/// <summary>
/// Known ground-truth deformations for demos, tests and benchmarks: a smooth random displacement field, its
/// inverse, the moving image it produces from a fixed one, and the end-point error of a recovered field.
/// </summary>
/// <remarks>
/// Conventions are those of <see cref="RegistrationResult.Displacement"/>: physical LPS vectors, the fixed point x
/// maps to the moving point x + u(x). A moving image made by <see cref="MovingImage"/> therefore satisfies
/// moving(x + u(x)) = fixed(x), and a perfect registration of (fixed, moving) returns u itself.
/// </remarks>
public static class SyntheticDeformation
{
    /// <summary>
    /// A smooth random displacement field on <paramref name="geometry"/>: white Gaussian noise (seeded, so the
    /// same arguments give the same field) smoothed by a Gaussian of σ = <paramref name="smoothness"/> mm,
    /// tapered to 0 towards the grid's faces by a sine window per axis (so no content enters or leaves the field
    /// of view), then scaled so that its longest vector is <paramref name="amplitude"/> mm.
    /// </summary>
    /// <param name="geometry">Grid of the field (the fixed image's).</param>
    /// <param name="amplitude">Largest displacement length in mm, &gt; 0.</param>
    /// <param name="smoothness">Gaussian σ in mm, &gt; 0 (the correlation length of the field).</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <exception cref="InvalidParameterException">When the field folds (det D(x + u) ≤ 0 somewhere): lower the amplitude or raise the smoothness.</exception>
    public static VectorField<float> Smooth(ImageGeometry geometry, double amplitude, double smoothness, int seed)
    {
        if (!(amplitude > 0) || !double.IsFinite(amplitude)) throw new InvalidParameterException("amplitude", $"must be positive and finite (mm), got {amplitude}.");
        if (!(smoothness > 0) || !double.IsFinite(smoothness)) throw new InvalidParameterException("smoothness", $"must be positive and finite (mm), got {smoothness}.");
        int d = geometry.Dimension, n = geometry.Count;
        var noise = new VectorField<double>(geometry, d);
        var random = new Random(seed);
        var data = noise.Data;
        for (int i = 0; i < data.Length; i += 2)
        {
            // Box–Muller: two independent standard normals per pair of uniforms.
            double r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())), t = 2 * Math.PI * random.NextDouble();
            data[i] = r * Math.Cos(t);
            if (i + 1 < data.Length) data[i + 1] = r * Math.Sin(t);
        }
        var smooth = new VectorField<double>(geometry, d);
        new GaussianSmoother<double>(geometry, smoothness).Apply(noise, smooth);

        double longest = 0;
        for (int z = 0, i = 0; z < geometry.Nz; z++)
        {
            double wz = d == 3 ? Math.Sin(Math.PI * (z + 0.5) / geometry.Nz) : 1;
            for (int y = 0; y < geometry.Ny; y++)
            {
                double wy = wz * Math.Sin(Math.PI * (y + 0.5) / geometry.Ny);
                for (int x = 0; x < geometry.Nx; x++, i++)
                {
                    double w = wy * Math.Sin(Math.PI * (x + 0.5) / geometry.Nx), len2 = 0;
                    for (int c = 0; c < d; c++)
                    {
                        double v = smooth.Data[c * n + i] *= w;
                        len2 += v * v;
                    }
                    longest = Math.Max(longest, len2);
                }
            }
        }
        longest = Math.Sqrt(longest);
        var u = new VectorField<float>(geometry, d);
        double scale = longest > 0 ? amplitude / longest : 0;
        for (int i = 0; i < u.Data.Length; i++) u.Data[i] = (float)(smooth.Data[i] * scale);

        var det = new ScalarField<float>(geometry);
        Jacobian.DisplacementDeterminant(u, det);
        float minDet = det.Data.Min();
        if (!(minDet > 0))
            throw new InvalidParameterException("amplitude", $"{amplitude} mm with smoothness {smoothness} mm folds the grid (min det D(x + u) = {minDet:0.###}); lower the amplitude or raise the smoothness.");
        return u;
    }

    /// <summary>
    /// The inverse displacement w of u on the same grid, (x + u(x)) + w(x + u(x)) = x, by the fixed-point
    /// iteration w ← −u ∘ (Id + w), which converges when u is a contraction (|Du| &lt; 1, true of the fields
    /// <see cref="Smooth"/> makes).
    /// </summary>
    /// <param name="displacement">u, physical, d components.</param>
    /// <param name="tolerance">Stop when max |w + u ∘ (Id + w)| is below this fraction of a voxel.</param>
    /// <param name="maxIterations">Iteration cap.</param>
    /// <exception cref="GeometrizeException">When the iteration does not reach the tolerance (u is not invertible this way).</exception>
    public static VectorField<float> Invert(VectorField<float> displacement, double tolerance = 1e-3, int maxIterations = 200)
    {
        var g = displacement.Geometry;
        int d = g.Dimension, n = g.Count;
        var w = new VectorField<float>(g, d);
        var composed = new VectorField<float>(g, d);
        double minSpacing = g.Spacing.ToArray().Min(), residual = double.PositiveInfinity;
        for (int it = 0; it < maxIterations; it++)
        {
            // composed = w + u(x + w): the residual of the inverse equation; the update is w − composed = −u(x + w).
            DisplacementFields.Compose(displacement, w, composed);
            residual = 0;
            for (int i = 0; i < n; i++)
            {
                double len2 = 0;
                for (int c = 0; c < d; c++) { double r = composed.Data[c * n + i]; len2 += r * r; }
                residual = Math.Max(residual, len2);
            }
            residual = Math.Sqrt(residual) / minSpacing;
            for (int i = 0; i < w.Data.Length; i++) w.Data[i] -= composed.Data[i];
            if (residual < tolerance) return w;
        }
        throw new GeometrizeException($"the displacement field could not be inverted: the residual is still {residual:g3} voxel after {maxIterations} iterations (is the deformation folding?).");
    }

    /// <summary>
    /// The moving image that <paramref name="truth"/> maps <paramref name="fixedImage"/> to: moving(y) = fixed(y + w(y))
    /// with w the inverse of u, so that moving(x + u(x)) = fixed(x). Float32, on the fixed grid, 0 outside. Read
    /// with cubic B-splines by default, so the test case is not blurred by the resampling that makes it.
    /// </summary>
    public static Image MovingImage(Image fixedImage, VectorField<float> truth, WarpInterpolation interpolation = WarpInterpolation.Cubic)
    {
        fixedImage.Geometry.RequireSameGrid(truth.Geometry, "the fixed image and the true displacement");
        return DisplacementWarp.Warp(fixedImage, Invert(truth), fixedImage.Geometry, interpolation);
    }

    /// <summary>
    /// <paramref name="image"/> multiplied by 1 + <paramref name="strength"/>·t(x), with t a smooth random texture of unit
    /// standard deviation (seeded white noise smoothed by a Gaussian of σ = <paramref name="correlation"/> mm).
    /// </summary>
    /// <remarks>
    /// A piecewise-constant image (a label map, a phantom) shows a deformation only across its edges: inside a flat
    /// region no method can see the motion, and end-point errors there measure the regulariser, not the registration.
    /// A multiplicative texture (as a bias field or tissue texture would) makes every non-zero voxel informative
    /// while leaving the background 0.
    /// </remarks>
    /// <exception cref="InvalidParameterException">strength outside [0, 1) or a non-positive correlation length.</exception>
    public static Image Texture(Image image, double strength, double correlation, int seed)
    {
        if (!(strength >= 0 && strength < 1)) throw new InvalidParameterException("texture", $"the strength must lie in [0, 1), got {strength}.");
        if (!(correlation > 0) || !double.IsFinite(correlation)) throw new InvalidParameterException("texture-length", $"must be positive and finite (mm), got {correlation}.");
        if (image.Components != 1) throw new InvalidParameterException("texture", $"needs a scalar image; this one has {image.Components} components.");
        var g = image.Geometry;
        var noise = new ScalarField<double>(g);
        var random = new Random(seed);
        for (int i = 0; i < noise.Data.Length; i++)
            noise.Data[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var smooth = new ScalarField<double>(g);
        new GaussianSmoother<double>(g, correlation).Apply(noise, smooth);
        double sum = 0, sum2 = 0;
        foreach (double v in smooth.Data) { sum += v; sum2 += v * v; }
        double mean = sum / g.Count, sd = Math.Sqrt(Math.Max(sum2 / g.Count - mean * mean, 1e-300));
        var data = new float[g.Count];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)(image.Data[i] * Math.Max(0, 1 + strength * (smooth.Data[i] - mean) / sd));
        return new Image(g, data, 1, PixelType.Float32);
    }

    /// <summary>
    /// Mean end-point error ‖u_estimate(x) − u_truth(x)‖ in voxels (each axis measured in its own voxel size),
    /// over the voxels where <paramref name="mask"/> is positive, or over the whole grid when it is null.
    /// </summary>
    public static double MeanEndPointError(VectorField<float> estimate, VectorField<float> truth, ScalarField<float>? mask = null)
        => EndPointErrors(estimate, truth, mask).MeanVoxel;

    /// <summary>
    /// Mean and largest end-point error ‖u_estimate(x) − u_truth(x)‖, in voxels (each axis in its own voxel size)
    /// and in mm, over the voxels where <paramref name="mask"/> is positive (all voxels when it is null).
    /// </summary>
    /// <exception cref="InvalidParameterException">The mask selects no voxel.</exception>
    public static EndPointErrorSummary EndPointErrors(VectorField<float> estimate, VectorField<float> truth, ScalarField<float>? mask = null)
    {
        var g = truth.Geometry;
        int d = g.Dimension, n = g.Count;
        g.RequireSameGrid(estimate.Geometry, "the estimated and the true displacement");
        if (mask is not null) g.RequireSameGrid(mask.Geometry, "the displacement and the error mask");
        if (estimate.Components != d || truth.Components != d)
            throw new GridMismatchException($"end-point errors need {d}-component displacement fields.");
        var m = g.PhysicalToIndexMatrix;
        Span<double> diff = stackalloc double[3];
        double sumV = 0, maxV = 0, sumMm = 0, maxMm = 0;
        long count = 0;
        for (int i = 0; i < n; i++)
        {
            if (mask is not null && !(mask.Data[i] > 0)) continue;
            double mm2 = 0, v2 = 0;
            for (int c = 0; c < d; c++)
            {
                diff[c] = estimate.Data[c * n + i] - truth.Data[c * n + i];
                mm2 += diff[c] * diff[c];
            }
            for (int r = 0; r < d; r++)
            {
                double v = 0;
                for (int c = 0; c < d; c++) v += m[r * d + c] * diff[c];
                v2 += v * v;
            }
            double ev = Math.Sqrt(v2), em = Math.Sqrt(mm2);
            sumV += ev;
            sumMm += em;
            maxV = Math.Max(maxV, ev);
            maxMm = Math.Max(maxMm, em);
            count++;
        }
        if (count == 0) throw new InvalidParameterException("mask", "selects no voxel; the end-point error needs at least one.");
        return new EndPointErrorSummary(sumV / count, maxV, sumMm / count, maxMm, count);
    }
}

/// <summary>End-point errors of a displacement field against a reference (<see cref="SyntheticDeformation.EndPointErrors"/>).</summary>
/// <param name="MeanVoxel">Mean error in voxels (each axis in its own voxel size).</param>
/// <param name="MaxVoxel">Largest error in voxels.</param>
/// <param name="MeanMm">Mean error in mm.</param>
/// <param name="MaxMm">Largest error in mm.</param>
/// <param name="Count">Voxels averaged over.</param>
public readonly record struct EndPointErrorSummary(double MeanVoxel, double MaxVoxel, double MeanMm, double MaxMm, long Count);
