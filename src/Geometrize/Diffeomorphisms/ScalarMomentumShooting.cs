using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// Geodesic shooting from a scalar momentum (Vialard, Risser, Rueckert &amp; Cotter, IJCV 2012): the image I and the
/// scalar momentum P evolve by İ + ∇I·v = 0, Ṗ + ∇·(Pv) = 0 with v = −K(P∇I), from I(0) = I_0 (the source) and
/// P(0) = P_0, so the initial vector momentum is m_0 = P_0∇I_0 and the path is a geodesic of the metric V.
/// The forward pass and its exact discrete adjoint (<see cref="Adjoint"/>) share one set of stored states.
/// </summary>
/// <remarks>
/// <para><b>Discretisation (Lagrangian, through the inverse map).</b> With ψ_0 = Id, dt = 1/N and h the spacing per
/// axis, step k computes I_k = I_0∘ψ_k, P_k = det(Dψ_k)·(P_0∘ψ_k), ∇I_k (central differences,
/// <see cref="FiniteDifferences.Gradient{T}"/>), m_k = P_k∇I_k, v_k = −K m_k and the semi-Lagrangian update
/// ψ_{k+1}(x) = ψ_k(x − dt·v_k(x)/h). The image and the continuity equation are thus solved exactly by transport
/// through ψ_k (no numerical diffusion accumulates in P or I); only ψ is advected. I_1 = I_0∘ψ_N. All
/// interpolations are linear with <see cref="BoundaryMode.Border"/>; ψ_k stays inside the grid's box because each
/// update is a convex combination of clamped values, so the boundary mode of the I_0 and P_0 look-ups never
/// matters beyond the last voxel face.</para>
/// <para><b>Sign convention.</b> v = −K(P∇I): a positive P pushes the image along −∇I (bright regions grow where
/// P &gt; 0 on their rim). The kinetic energy ½⟨m_k, K m_k⟩ (physical, times the voxel volume) is recorded per
/// step in <see cref="KineticEnergies"/>; it is constant along a continuous geodesic, so its drift measures
/// the time-discretisation error.</para>
/// <para><b>Units.</b> Velocities are in mm along the grid axes; maps are in continuous voxel indices.
/// Storage: N + 1 maps and N velocities (2N·d fields). One instance owns all buffers and FFT plans, so
/// <see cref="Shoot"/> and <see cref="Adjoint"/> allocate nothing proportional to the grid; it is not thread-safe.
/// The path, the scratch fields and the steps shared with <see cref="MetamorphosisShooting{T}"/> live in
/// <see cref="ScalarMomentumFlow{T}"/>.</para>
/// </remarks>
public sealed class ScalarMomentumShooting<T> : ScalarMomentumFlow<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double[] _kinetic;

    /// <summary>Builds the shooting scheme for <paramref name="source"/> with its own Fourier metric.</summary>
    /// <param name="source">I_0, the image that is transported (the moving image).</param>
    /// <param name="metric">α, γ, s, β of the metric L; K = L⁻¹ turns momenta into velocities.</param>
    /// <param name="timeSteps">N, the number of time steps on [0, 1].</param>
    /// <param name="padToFastSizes">Zero-pad the FFT grid to 2·3·5-smooth sizes (see <see cref="FourierMetric{T}"/>).</param>
    public ScalarMomentumShooting(ScalarField<T> source, MetricParameters metric, int timeSteps, bool padToFastSizes = false)
        : this(source, new FourierMetric<T>(source.Geometry, metric, padToFastSizes), timeSteps) { }

    /// <summary>Builds the shooting scheme for <paramref name="source"/> with an existing metric on the same grid.</summary>
    public ScalarMomentumShooting(ScalarField<T> source, FourierMetric<T> metric, int timeSteps)
        : base(source, metric, timeSteps, "scalar-momentum shooting", "P0")
    {
        _kinetic = new double[timeSteps];
    }

    /// <summary>½⟨m_k, K m_k⟩ (times the voxel volume) for k = 0 … N−1 after the last <see cref="Shoot"/>.</summary>
    public ReadOnlySpan<double> KineticEnergies => _kinetic;

    /// <summary>
    /// Shoots from <paramref name="p0"/> (one value per voxel): stores ψ_k and v_k, computes I_1 = I_0∘ψ_N
    /// (<see cref="ScalarMomentumFlow{T}.FinalImage"/>) and returns the regularity ½⟨m_0, K m_0⟩ (physical: times the voxel volume).
    /// </summary>
    public override double Shoot(ReadOnlySpan<T> p0)
    {
        LoadMomentum(p0);
        for (int k = 0; k < _steps; k++)
        {
            var (p, grad) = State(k, withGradients: false);
            var v = MomentumToVelocity(k, p, grad, T.NegativeOne); // v_k = −K m_k
            _kinetic[k] = HalfMomentumVelocityPairing(v);
            AdvanceMap(k, v);
        }
        Interpolation.Interpolate(Source, _psi[_steps], _finalImage, BoundaryMode.Border);
        _shot = true;
        return _kinetic[0];
    }

    /// <summary>
    /// Gradient with respect to P_0 (Euclidean: one value per voxel) of
    /// <c>kineticWeight·½⟨m_0, K m_0⟩ + Σ_x Î_1(x)·I_1(x)</c>, where <paramref name="finalImageAdjoint"/> = Î_1 is
    /// ∂D/∂I_1 of a data term (voxel volume included), at the P_0 of the last <see cref="Shoot"/>.
    /// </summary>
    /// <remarks>
    /// Hand-written transpose of every forward operation, last step first (the steps are those of
    /// <see cref="ScalarMomentumFlow{T}"/>). I_k, P_k and Dψ_k are recomputed from the stored ψ_k (they come out of
    /// the interpolations the adjoint needs anyway). The result is therefore the exact gradient of the discrete
    /// energy, to round-off.
    /// </remarks>
    public override void Adjoint(ScalarField<T> finalImageAdjoint, double kineticWeight, Span<T> gradient)
    {
        T kinetic = BeginAdjoint(finalImageAdjoint, kineticWeight, gradient);
        VectorField<T> psiHat = _psiHatA, next = _psiHatB;
        for (int k = _steps - 1; k >= 0; k--)
        {
            var (p, grad) = State(k, withGradients: true);
            MapStepAdjoint(k, psiHat, next);
            MomentumAdjoint(k, T.One, kinetic);
            MomentumToDensityAdjoint(grad, accumulate: false);
            if (k == 0)
            {
                // P_0 enters step 0 directly (ψ_0 = Id, det = 1); I_0 is data, so its adjoint is not needed.
                TensorPrimitives.Add<T>(_p0Adjoint.Span, _pHat.Span, _p0Adjoint.Span);
                break;
            }
            DensityStepAdjoint(k, p, next);
            (psiHat, next) = (next, psiHat);
        }
        _p0Adjoint.Span.CopyTo(gradient);
    }
}
