using System.Numerics;
using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// Registration by geodesic shooting from a scalar momentum P_0 (Vialard et al. 2012): the moving image I_0 is
/// deformed along the geodesic with initial momentum m_0 = P_0∇I_0 and
/// E(P_0) = ½⟨P_0∇I_0, K(P_0∇I_0)⟩ + D(I_0∘φ_1⁻¹, fixed).
/// </summary>
/// <remarks>
/// <para>The parameter is one value per voxel (<see cref="ScalarMomentumProblem{T}.ParameterComponents"/> = 1). Only P_0 on the edges of
/// I_0 (where ∇I_0 ≠ 0) moves anything, which makes the search space d times smaller than for a vector momentum and
/// keeps the geodesic normal to the level sets of I_0.</para>
/// <para><b>Gradient and metric.</b> <see cref="ScalarMomentumProblem{T}.Evaluate"/> returns the exact Euclidean gradient of the discrete
/// energy with respect to the P_0 array (<see cref="ScalarMomentumShooting{T}.Adjoint"/>), so
/// <see cref="ScalarMomentumProblem{T}.ApplyMetric"/> is the identity. L-BFGS builds its own curvature model on top. A smoothing metric
/// M = (γ − αΔ) on P_0 (gradient K·∇E) was tried on the Shepp–Logan recovery case and did not help: after 60 L-BFGS
/// iterations the energy was 570 with the identity against 596 (α = 1 mm²) and 633 (α = 4 mm²), with relative SSD
/// 4.0e-3, 4.8e-3 and 3.9e-3. P_0 only acts through P_0∇I_0, which K already smooths.</para>
/// <para>Images are transported with <see cref="BoundaryMode.Border"/>. All buffers live in the constructor;
/// <see cref="ScalarMomentumProblem{T}.Evaluate"/> allocates nothing proportional to the grid. What this problem
/// shares with <see cref="MetamorphosisProblem{T}"/> is in <see cref="ScalarMomentumProblem{T}"/>.</para>
/// </remarks>
public sealed class ScalarShootingProblem<T> : ScalarMomentumProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the problem on the fixed image's grid; the moving image must already be resampled onto it.</summary>
    /// <param name="fixedImage">Target (not deformed).</param>
    /// <param name="movingImage">I_0, transported by the flow.</param>
    /// <param name="dataTerm">Similarity D(warped, fixed).</param>
    /// <param name="settings">Metric, time steps and FFT padding are used here.</param>
    public ScalarShootingProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
        : base(fixedImage, movingImage, dataTerm, settings,
            (moving, s) => new ScalarMomentumShooting<T>(moving, s.Metric, s.TimeSteps, s.PadToFastSizes), "P0", "scalar momentum")
    {
        Shooting = (ScalarMomentumShooting<T>)Flow;
    }

    /// <summary>The forward scheme and its adjoint (its state is the last evaluated P_0).</summary>
    public ScalarMomentumShooting<T> Shooting { get; }
    /// <inheritdoc />
    public override string Method => "shooting-scalar";

    /// <inheritdoc />
    public override void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped) =>
        CopyFinalImage(parameters, warped, "the warped image and the problem grid");
}
