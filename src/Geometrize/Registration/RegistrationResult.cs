using Geometrize.Imaging;
using Geometrize.Numerics;

namespace Geometrize.Registration;

/// <summary>
/// Everything a registration produces, on the fixed image's grid. Displacements follow ITK/ANTs: physical (LPS, mm)
/// vectors, fixed point x maps to moving point x + u(x).
/// </summary>
public sealed class RegistrationResult
{
    /// <summary>Method name (<c>lddmm</c>, <c>shooting</c>, <c>shooting-scalar</c>).</summary>
    public required string Method { get; init; }
    /// <summary>Settings used.</summary>
    public required RegistrationSettings Settings { get; init; }
    /// <summary>Wall-clock seconds of the whole registration.</summary>
    public required double Seconds { get; init; }
    /// <summary>Iterations summed over levels.</summary>
    public required int Iterations { get; init; }
    /// <summary>Energy per iteration and level.</summary>
    public required IReadOnlyList<EnergyRecord> History { get; init; }
    /// <summary>Final energy split (finest level).</summary>
    public required EnergySplit FinalEnergy { get; init; }
    /// <summary>The moving image resampled into fixed space through the transform (original intensities).</summary>
    public required Image Warped { get; init; }
    /// <summary>
    /// The moving image resampled onto the fixed grid by the identity (physical positions matched), original
    /// intensities; outside the moving image it holds the background (the joint minimum of both images).
    /// </summary>
    public required Image MovingOnFixedGrid { get; init; }
    /// <summary>u: fixed point x ↦ moving point x + u(x), physical LPS vectors on the fixed grid.</summary>
    public required VectorField<float> Displacement { get; init; }
    /// <summary>Inverse displacement: moving point y ↦ fixed point y + w(y), physical LPS vectors, sampled on the fixed grid.</summary>
    public required VectorField<float> InverseDisplacement { get; init; }
    /// <summary>det D(x + u(x)) on the fixed grid.</summary>
    public required ScalarField<float> Jacobian { get; init; }
    /// <summary>Initial vector momentum m_0 (vector shooting; physical LPS components), else null.</summary>
    public VectorField<float>? Momentum { get; init; }
    /// <summary>Initial scalar momentum P_0 (scalar shooting), else null.</summary>
    public ScalarField<float>? ScalarMomentum { get; init; }
    /// <summary>
    /// Metamorphosis: the accumulated intensity change Z_1 on the fixed grid in original intensity units (the matched
    /// image is <see cref="Warped"/> + Z_1), else null.
    /// </summary>
    public ScalarField<float>? IntensityChange { get; init; }
    /// <summary>Metamorphosis: images I_t along the path at equally spaced times from 0 to 1 (fixed grid, original units), else null.</summary>
    public IReadOnlyList<ScalarField<float>>? PathImages { get; init; }
    /// <summary>Metamorphosis: MSE of the deformation alone (<see cref="Warped"/> against fixed); NaN for other methods.</summary>
    public double MseAfterDeformationOnly { get; init; } = double.NaN;
    /// <summary>Mean squared intensity difference before registration (moving resampled by identity), original units.</summary>
    public required double MseBefore { get; init; }
    /// <summary>Mean squared intensity difference after registration, original units (metamorphosis: of the matched image <see cref="Warped"/> + <see cref="IntensityChange"/>).</summary>
    public required double MseAfter { get; init; }
    /// <summary>Global normalised cross-correlation before.</summary>
    public required double NccBefore { get; init; }
    /// <summary>Global normalised cross-correlation after.</summary>
    public required double NccAfter { get; init; }
    /// <summary>Minimum of <see cref="Jacobian"/>.</summary>
    public double JacobianMin { get; init; }
    /// <summary>Maximum of <see cref="Jacobian"/>.</summary>
    public double JacobianMax { get; init; }
}
