using System.Numerics;
using Geometrize.Diffeomorphisms;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// A registration problem whose result is more than a warp: the moving image is also re-coloured along the path
/// (metamorphosis). <see cref="ImageRegistration"/> asks it for the accumulated intensity change and the path images.
/// </summary>
public interface IIntensityChangeProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The accumulated intensity change Z_1 on the problem's grid (intensity units of the problem, i.e. [0, 1]
    /// scale): the matched image is the warped moving image plus Z_1.
    /// </summary>
    void IntensityChange(ReadOnlySpan<T> parameters, ScalarField<T> change);

    /// <summary>
    /// The images I_t along the path at <paramref name="images"/>.Length equally spaced times from t = 0 to t = 1
    /// (rounded to time steps), on the problem's grid.
    /// </summary>
    void PathImages(ReadOnlySpan<T> parameters, IReadOnlyList<ScalarField<T>> images);
}

/// <summary>
/// Registration by metamorphosis (<see cref="MetamorphosisShooting{T}"/>): shooting from (I_0, p_0) with
/// E(p_0) = ½(1−ρ)⟨p_0∇I_0, K(p_0∇I_0)⟩ + ½ρ‖p_0‖² + D(I_1, fixed), I_1 = I_0∘φ_1⁻¹ + Z_1, so the match can create
/// or remove intensity that no diffeomorphism can (a lesion, a contrast change), at the cost ½ρ‖p_0‖²
/// (equivalently ½‖z_0‖²/ρ for the initial intensity rate z_0 = ρp_0).
/// </summary>
/// <remarks>
/// <para><b>ρ</b> (<see cref="RegistrationSettings.MetamorphosisRho"/>, <c>--rho</c>): 0 is exactly
/// <c>shooting-scalar</c> (no intensity change), 1 switches the deformation off and blends intensities
/// (I_1 = I_0 + p_0, whose optimum under SSD with noise σ is I_0 + (J − I_0)/(1 + σ²): both terms carry the voxel volume). In between, smaller ρ
/// makes intensity change dearer relative to motion.</para>
/// <para><b>Gradient and metric.</b> <see cref="Evaluate"/> returns the exact Euclidean gradient with respect to the
/// p_0 array; <see cref="ApplyMetric"/> is the identity, as for <see cref="ScalarShootingProblem{T}"/>. The maps
/// (<see cref="InverseMap"/>, <see cref="ForwardMap"/>) are the geometric part of the path; <see cref="Warp"/> is
/// the moving image carried by that geometry alone (I_0∘φ_1⁻¹), and <see cref="IntensityChange"/> is what
/// metamorphosis adds on top. Images are transported with <see cref="BoundaryMode.Border"/>; all buffers live in the
/// constructor.</para>
/// </remarks>
public sealed class MetamorphosisProblem<T> : IRegistrationProblem<T>, IIntensityChangeProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ScalarField<T> _fixed, _dataGradient;
    private readonly IDataTerm<T> _dataTerm;

    /// <summary>Builds the problem on the fixed image's grid; the moving image must already be resampled onto it.</summary>
    /// <param name="fixedImage">Target.</param>
    /// <param name="movingImage">I_0, deformed and re-coloured.</param>
    /// <param name="dataTerm">Similarity D(I_1, fixed).</param>
    /// <param name="settings">Metric, time steps, FFT padding and <see cref="RegistrationSettings.MetamorphosisRho"/> are used here.</param>
    public MetamorphosisProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(fixedImage);
        ArgumentNullException.ThrowIfNull(movingImage);
        ArgumentNullException.ThrowIfNull(dataTerm);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        movingImage.Geometry.RequireSameGrid(fixedImage.Geometry, "the moving image (resampled) and the fixed image");
        RequireFinite(fixedImage, "--fixed");
        RequireFinite(movingImage, "--moving");
        _fixed = fixedImage;
        _dataTerm = dataTerm;
        Settings = settings;
        Shooting = new MetamorphosisShooting<T>(movingImage, settings.Metric, settings.TimeSteps, settings.MetamorphosisRho, settings.PadToFastSizes);
        _dataGradient = new ScalarField<T>(fixedImage.Geometry);
    }

    /// <summary>The forward scheme and its adjoint (its state is the last evaluated p_0).</summary>
    public MetamorphosisShooting<T> Shooting { get; }
    /// <summary>The settings the problem was built with.</summary>
    public RegistrationSettings Settings { get; }
    /// <inheritdoc />
    public string Method => "metamorphosis";
    /// <inheritdoc />
    public ImageGeometry Geometry => _fixed.Geometry;
    /// <inheritdoc />
    public int ParameterComponents => 1;
    /// <inheritdoc />
    public int Dimension => _fixed.Count;
    /// <inheritdoc />
    public EnergySplit LastEnergy { get; private set; }

    /// <inheritdoc />
    public double Evaluate(ReadOnlySpan<T> x, Span<T> gradient)
    {
        RequireLength(x.Length, "p0");
        RequireLength(gradient.Length, "gradient");
        double regularity = Shooting.Shoot(x);
        double data = _dataTerm.Evaluate(Shooting.FinalImage, _fixed, _dataGradient);
        Shooting.Adjoint(_dataGradient, 1, gradient);
        LastEnergy = new EnergySplit(regularity, data);
        return regularity + data;
    }

    /// <summary>Energy only: one forward shot, no adjoint.</summary>
    public double Value(ReadOnlySpan<T> x)
    {
        RequireLength(x.Length, "p0");
        double regularity = Shooting.Shoot(x);
        double data = _dataTerm.Evaluate(Shooting.FinalImage, _fixed, null);
        LastEnergy = new EnergySplit(regularity, data);
        return regularity + data;
    }

    /// <summary>The identity: the gradient is Euclidean in p_0.</summary>
    public void ApplyMetric(ReadOnlySpan<T> a, Span<T> result)
    {
        RequireLength(a.Length, "metric input");
        RequireLength(result.Length, "metric output");
        a.CopyTo(result);
    }

    /// <summary>The geometric part only: I_0∘φ_1⁻¹ (add <see cref="IntensityChange"/> for the matched image I_1).</summary>
    public void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped)
    {
        FieldRequirements.SameGrid(Geometry, warped.Geometry, "the warped image and the problem grid");
        Shooting.Shoot(parameters);
        Interpolation.Interpolate(Shooting.Source, Shooting.FinalInverseMap, warped, BoundaryMode.Border);
    }

    /// <summary>The matched image I_1 = I_0∘φ_1⁻¹ + Z_1.</summary>
    public void FinalImage(ReadOnlySpan<T> parameters, ScalarField<T> image)
    {
        FieldRequirements.SameGrid(Geometry, image.Geometry, "the final image and the problem grid");
        Shooting.Shoot(parameters);
        Shooting.FinalImage.Span.CopyTo(image.Span);
    }

    /// <inheritdoc />
    public void IntensityChange(ReadOnlySpan<T> parameters, ScalarField<T> change)
    {
        FieldRequirements.SameGrid(Geometry, change.Geometry, "the intensity change and the problem grid");
        Shooting.Shoot(parameters);
        Shooting.FinalIntensityChange.Span.CopyTo(change.Span);
    }

    /// <inheritdoc />
    public void PathImages(ReadOnlySpan<T> parameters, IReadOnlyList<ScalarField<T>> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Shooting.Shoot(parameters);
        int count = images.Count, steps = Shooting.TimeSteps;
        for (int j = 0; j < count; j++)
        {
            int k = count == 1 ? steps : (int)Math.Round((double)j * steps / (count - 1));
            Shooting.Image(k, images[j]);
        }
    }

    /// <inheritdoc />
    public void InverseMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        FieldRequirements.SameGrid(Geometry, map.Geometry, "the inverse map and the problem grid");
        FieldRequirements.Components(map, Geometry.Dimension, "inverse map");
        Shooting.Shoot(parameters);
        Shooting.FinalInverseMap.Span.CopyTo(map.Span);
    }

    /// <inheritdoc />
    public void ForwardMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        Shooting.Shoot(parameters);
        Shooting.ForwardMap(map);
    }

    private void RequireLength(int length, string what)
    {
        if (length != Dimension)
            throw new InvalidParameterException(what, $"has {length} values but the metamorphosis momentum on {Geometry} has {Dimension} (one per voxel).");
    }

    private static void RequireFinite(ScalarField<T> image, string option)
    {
        foreach (var value in image.Data)
            if (!T.IsFinite(value))
                throw new InvalidParameterException(option, "contains NaN or infinite voxels; fix or mask them before registering.");
    }
}

/// <summary>The intensity-change outputs of a finished registration, in the fixed image's grid and intensity units.</summary>
internal static class IntensityChangeResults
{
    /// <summary>Images along the path shown in the report (t = 0, ¼, ½, ¾, 1).</summary>
    public const int PathImageCount = 5;

    /// <summary>
    /// Z_1 scaled by <paramref name="range"/> and the path images mapped back by min + range·I, both resampled from the
    /// problem's grid onto <paramref name="fixedGeometry"/> when they differ.
    /// </summary>
    public static (ScalarField<float> Change, ScalarField<float>[] Path) Compute(IIntensityChangeProblem<float> problem, ImageGeometry problemGeometry,
        float[] parameters, ImageGeometry fixedGeometry, double min, double range)
    {
        var change = new ScalarField<float>(problemGeometry);
        problem.IntensityChange(parameters, change);
        var path = new ScalarField<float>[PathImageCount];
        for (int j = 0; j < path.Length; j++) path[j] = new ScalarField<float>(problemGeometry);
        problem.PathImages(parameters, path);
        for (int i = 0; i < change.Count; i++) change.Data[i] = (float)(range * change.Data[i]);
        foreach (var image in path)
            for (int i = 0; i < image.Count; i++) image.Data[i] = (float)(min + range * image.Data[i]);
        return (OnGrid(change, fixedGeometry), path.Select(p => OnGrid(p, fixedGeometry)).ToArray());
    }

    private static ScalarField<float> OnGrid(ScalarField<float> field, ImageGeometry target)
    {
        if (field.Geometry.IsSameGrid(target)) return field;
        var r = new ScalarField<float>(target);
        Resampling.ResampleLinear(field, r, BoundaryMode.Border);
        return r;
    }
}
