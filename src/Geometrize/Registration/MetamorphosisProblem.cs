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
/// <para><b>Gradient and metric.</b> <see cref="ScalarMomentumProblem{T}.Evaluate"/> returns the exact Euclidean gradient with respect to the
/// p_0 array; <see cref="ScalarMomentumProblem{T}.ApplyMetric"/> is the identity, as for <see cref="ScalarShootingProblem{T}"/>. The maps
/// (<see cref="ScalarMomentumProblem{T}.InverseMap"/>, <see cref="ScalarMomentumProblem{T}.ForwardMap"/>) are the geometric part of the path; <see cref="Warp"/> is
/// the moving image carried by that geometry alone (I_0∘φ_1⁻¹), and <see cref="IntensityChange"/> is what
/// metamorphosis adds on top. Images are transported with <see cref="BoundaryMode.Border"/>; all buffers live in the
/// constructor.</para>
/// </remarks>
public sealed class MetamorphosisProblem<T> : ScalarMomentumProblem<T>, IIntensityChangeProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the problem on the fixed image's grid; the moving image must already be resampled onto it.</summary>
    /// <param name="fixedImage">Target.</param>
    /// <param name="movingImage">I_0, deformed and re-coloured.</param>
    /// <param name="dataTerm">Similarity D(I_1, fixed).</param>
    /// <param name="settings">Metric, time steps, FFT padding and <see cref="RegistrationSettings.MetamorphosisRho"/> are used here.</param>
    public MetamorphosisProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
        : base(fixedImage, movingImage, dataTerm, settings,
            (moving, s) => new MetamorphosisShooting<T>(moving, s.Metric, s.TimeSteps, s.MetamorphosisRho, s.PadToFastSizes), "p0", "metamorphosis momentum")
    {
        Shooting = (MetamorphosisShooting<T>)Flow;
    }

    /// <summary>The forward scheme and its adjoint (its state is the last evaluated p_0).</summary>
    public MetamorphosisShooting<T> Shooting { get; }
    /// <inheritdoc />
    public override string Method => "metamorphosis";

    /// <summary>The geometric part only: I_0∘φ_1⁻¹ (add <see cref="IntensityChange"/> for the matched image I_1).</summary>
    public override void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped)
    {
        FieldRequirements.SameGrid(Geometry, warped.Geometry, "the warped image and the problem grid");
        Shooting.Shoot(parameters);
        Interpolation.Interpolate(Shooting.Source, Shooting.FinalInverseMap, warped, BoundaryMode.Border);
    }

    /// <summary>The matched image I_1 = I_0∘φ_1⁻¹ + Z_1.</summary>
    public void FinalImage(ReadOnlySpan<T> parameters, ScalarField<T> image) =>
        CopyFinalImage(parameters, image, "the final image and the problem grid");

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
