using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// Geodesic shooting of image metamorphosis (Trouvé &amp; Younes 2005; Holm, Trouvé &amp; Younes 2009; shooting form of
/// Richardson &amp; Younes 2016): the image I both moves with a velocity v and changes intensity at a rate z,
/// İ + ∇I·v = z, and the path minimising ½∫ ‖v‖²_V/(1−ρ) + ‖z‖²_{L²}/ρ dt is shot from (I_0, p_0) by
/// v = −(1−ρ)K(p∇I), z = ρp, ṗ + ∇·(pv) = 0. The forward pass and its exact discrete adjoint
/// (<see cref="Adjoint"/>) share one set of stored states.
/// </summary>
/// <remarks>
/// <para><b>The trade-off ρ ∈ [0, 1].</b> p is the momentum (the Lagrange multiplier of the transport constraint),
/// so z = ρp is the intensity change and the conserved Hamiltonian is
/// H = ½(1−ρ)⟨p∇I, K(p∇I)⟩ + ½ρ‖p‖² (physical: times the voxel volume). In the usual notation
/// E = ½∫‖v‖²_V + (1/σ_z²)‖z‖² this is σ_z² = ρ/(1−ρ) with the whole path energy scaled by 1/(1−ρ).
/// ρ = 0 is exactly the scalar-momentum shooting of Vialard et al. (<see cref="ScalarMomentumShooting{T}"/>,
/// z ≡ 0: pure LDDMM); ρ = 1 switches the deformation off (v ≡ 0) and gives I_1 = I_0 + p_0, a pure intensity blend.
/// Optimising over p_0 rather than z_0 = ρp_0 keeps the ρ = 0 end well defined.</para>
/// <para><b>Discretisation.</b> As <see cref="ScalarMomentumShooting{T}"/> (ψ_0 = Id, dt = 1/N, h the spacing):
/// p_k = det(Dψ_k)·(p_0∘ψ_k) solves the continuity equation through the inverse map ψ_k, and the image is split
/// as I_k = I_0∘ψ_k + Z_k, where Z_k, the accumulated intensity change in Eulerian coordinates, obeys
/// Ż + ∇Z·v = z and is advanced by the same semi-Lagrangian step as ψ:
/// Z_0 = 0, Z_{k+1} = (Z_k + dt·ρ·p_k)(y_k), ψ_{k+1} = ψ_k(y_k), y_k(x) = x − dt·v_k(x)/h,
/// with m_k = p_k∇I_k (central differences) and v_k = −(1−ρ)K m_k. I_1 = I_0∘ψ_N + Z_N. All interpolations are
/// linear with <see cref="BoundaryMode.Border"/>. Z_N is what <c>register</c> writes as the intensity change.</para>
/// <para><b>Storage.</b> N + 1 maps, N velocities and N + 1 intensity-change fields; one instance owns all buffers and
/// FFT plans, so <see cref="Shoot"/> and <see cref="Adjoint"/> allocate nothing proportional to the grid. Not
/// thread-safe. The path, the scratch fields, the per-voxel kernels and the steps shared with
/// <see cref="ScalarMomentumShooting{T}"/> live in <see cref="ScalarMomentumFlow{T}"/>.</para>
/// </remarks>
public sealed class MetamorphosisShooting<T> : ScalarMomentumFlow<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _deformation, _change;     // 1 − ρ and dt·ρ
    private readonly bool _intensity;             // ρ > 0: Z is advanced
    private readonly ScalarField<T>[] _z;         // Z_0 … Z_N (Z_0 = 0)
    private readonly double[] _hamiltonian;
    // Scratch of the intensity change.
    private readonly ScalarField<T> _warped, _w, _wValue, _zHatA, _zHatB;
    private readonly VectorField<T> _wGrad;

    /// <summary>Builds the scheme for <paramref name="source"/> with its own Fourier metric.</summary>
    /// <param name="source">I_0, the image that is deformed and re-coloured (the moving image).</param>
    /// <param name="metric">α, γ, s, β of the metric L; K = L⁻¹.</param>
    /// <param name="timeSteps">N, the number of time steps on [0, 1].</param>
    /// <param name="rho">ρ ∈ [0, 1]: 0 pure deformation (LDDMM), 1 pure intensity change.</param>
    /// <param name="padToFastSizes">Zero-pad the FFT grid to 2·3·5-smooth sizes.</param>
    public MetamorphosisShooting(ScalarField<T> source, MetricParameters metric, int timeSteps, double rho, bool padToFastSizes = false)
        : this(source, new FourierMetric<T>(source.Geometry, metric, padToFastSizes), timeSteps, rho) { }

    /// <summary>Builds the scheme for <paramref name="source"/> with an existing metric on the same grid.</summary>
    public MetamorphosisShooting(ScalarField<T> source, FourierMetric<T> metric, int timeSteps, double rho)
        : base(source, metric, timeSteps, "metamorphosis", "p0")
    {
        RequireRho(rho);
        Rho = rho;
        _deformation = T.CreateTruncating(1 - rho);
        _change = T.CreateTruncating(rho / timeSteps);
        _intensity = rho > 0;
        var g = Geometry;
        _z = new ScalarField<T>[timeSteps + 1];
        for (int k = 0; k <= timeSteps; k++) _z[k] = new ScalarField<T>(g);
        _hamiltonian = new double[timeSteps];
        _warped = new(g); _w = new(g); _wValue = new(g); _zHatA = new(g); _zHatB = new(g);
        _wGrad = new(g);
    }

    /// <summary>ρ: 0 pure deformation, 1 pure intensity change.</summary>
    public double Rho { get; }

    /// <summary>Z_N, the accumulated intensity change (I_1 minus the deformed source) after the last <see cref="Shoot"/>.</summary>
    public ScalarField<T> FinalIntensityChange => _z[_steps];
    /// <summary>H_k = ½(1−ρ)⟨m_k, K m_k⟩ + ½ρ‖p_k‖² (times the voxel volume), k = 0 … N−1, after the last <see cref="Shoot"/>.</summary>
    public ReadOnlySpan<double> Hamiltonians => _hamiltonian;

    /// <summary>Z_k (k = 0 … N), the intensity change accumulated up to time k/N; valid after <see cref="Shoot"/>.</summary>
    public ScalarField<T> IntensityChange(int k) => (uint)k <= (uint)_steps ? _z[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps}, got {k}.");

    /// <summary>Writes the intermediate image I_k = I_0∘ψ_k + Z_k (k = 0 … N) of the last <see cref="Shoot"/> into <paramref name="image"/>.</summary>
    public void Image(int k, ScalarField<T> image)
    {
        RequireShot();
        if ((uint)k > (uint)_steps) throw new InvalidParameterException("k", $"must be between 0 and {_steps}, got {k}.");
        FieldRequirements.SameGrid(Geometry, image.Geometry, "the intermediate image and the shooting grid");
        Interpolation.Interpolate(Source, _psi[k], image, BoundaryMode.Border);
        TensorPrimitives.Add<T>(image.Span, _z[k].Span, image.Span);
    }

    /// <summary>
    /// Shoots from <paramref name="p0"/> (one value per voxel): stores ψ_k, v_k and Z_k, computes I_1 = I_0∘ψ_N + Z_N
    /// (<see cref="ScalarMomentumFlow{T}.FinalImage"/>) and returns the regularity H_0 = ½(1−ρ)⟨m_0, K m_0⟩ + ½ρ‖p_0‖²
    /// (times the voxel volume).
    /// </summary>
    public override double Shoot(ReadOnlySpan<T> p0)
    {
        LoadMomentum(p0);
        double volume = Metric.VoxelVolume;
        for (int k = 0; k < _steps; k++)
        {
            var (p, grad) = State(k, withGradients: false);
            var v = MomentumToVelocity(k, p, grad, -_deformation); // v_k = −(1−ρ)K m_k
            // ⟨m, v⟩ = −(1−ρ)⟨m, K m⟩.
            _hamiltonian[k] = HalfMomentumVelocityPairing(v) + 0.5 * Rho * volume * Reductions.Dot<T>(p.Data, p.Data);
            AdvanceMap(k, v);
            if (_intensity)
            {
                TensorPrimitives.MultiplyAdd<T>(p.Span, _change, _z[k].Span, _w.Span);
                Interpolation.Interpolate(_w, _points, _z[k + 1], BoundaryMode.Border);
            }
        }
        Interpolation.Interpolate(Source, _psi[_steps], _warped, BoundaryMode.Border);
        TensorPrimitives.Add<T>(_warped.Span, _z[_steps].Span, _finalImage.Span);
        _shot = true;
        return _hamiltonian[0];
    }

    /// <summary>I_k = I_0∘ψ_k + Z_k; <c>_w</c> is free here (the step rebuilds it from p_k afterwards).</summary>
    private protected override ScalarField<T> ImageAt(int k)
    {
        if (!_intensity) return _image;
        TensorPrimitives.Add<T>(_image.Span, _z[k].Span, _w.Span);
        return _w;
    }

    /// <summary>Throws <see cref="InvalidParameterException"/> (<c>--rho</c>) unless 0 ≤ ρ ≤ 1.</summary>
    public static void RequireRho(double rho)
    {
        if (!(rho >= 0 && rho <= 1))
            throw new InvalidParameterException("--rho", $"must be between 0 (pure deformation) and 1 (pure intensity change), got {rho}.");
    }

    /// <summary>
    /// Gradient with respect to p_0 (Euclidean: one value per voxel) of <c>regularityWeight·H_0 + Σ_x Î_1(x)·I_1(x)</c>,
    /// where <paramref name="finalImageAdjoint"/> = Î_1 is ∂D/∂I_1 of a data term (voxel volume included), at the p_0
    /// of the last <see cref="Shoot"/>.
    /// </summary>
    /// <remarks>
    /// The transpose of every forward operation, last step first, with adjoint states ψ̂_k (of the map) and Ẑ_k (of the
    /// intensity change). Per step: ψ_{k+1} = ψ_k(y) and Z_{k+1} = W(y), W = Z_k + dt·ρ·p_k, give the point adjoint
    /// ŷ = Σ_c ψ̂_c∂ψ_k,c/∂y + Ẑ∂W/∂y and the splats ψ̂_k = Sᵀψ̂_{k+1}, Ŵ = SᵀẐ_{k+1}; then Ẑ_k = Ŵ and
    /// p̂_k = dt·ρ·Ŵ; y = x − dt·v/h and v = −(1−ρ)Km give m̂ = (1−ρ)K(dt·ŷ/h); m = p∇I gives p̂_k += m̂·∇I and
    /// Î_k = ∇ᵀ(p m̂), which feeds both Ẑ_k and ψ̂_k (through I_0∘ψ_k); p_k = det(Dψ_k)·p_0∘ψ_k feeds p̂_0 by a splat and
    /// ψ̂_k through ∇p_0 and the cofactors. States are recomputed from the stored ψ_k and Z_k.
    /// </remarks>
    public override void Adjoint(ScalarField<T> finalImageAdjoint, double regularityWeight, Span<T> gradient)
    {
        // I_1 = I_0∘ψ_N + Z_N  ⇒  ψ̂_N = Î_1·∇I_0(ψ_N), Ẑ_N = Î_1.
        T kinetic = BeginAdjoint(finalImageAdjoint, regularityWeight, gradient);
        VectorField<T> psiHat = _psiHatA, next = _psiHatB;
        ScalarField<T> zHat = _zHatA, zNext = _zHatB;
        if (_intensity) finalImageAdjoint.Span.CopyTo(zHat.Span);

        for (int k = _steps - 1; k >= 0; k--)
        {
            var (p, grad) = State(k, withGradients: true);
            MapStepAdjoint(k, psiHat, next);
            if (_intensity)
            {
                // Z_{k+1} = W(y): ŷ += Ẑ_{k+1}·∇W(y), Ŵ = splat(Ẑ_{k+1}); Ẑ_k = Ŵ, p̂_k = dt·ρ·Ŵ.
                TensorPrimitives.MultiplyAdd<T>(p.Span, _change, _z[k].Span, _w.Span);
                Interpolation.InterpolateWithGradient(_w, _points, _wValue, _wGrad, BoundaryMode.Border);
                for (int a = 0; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(zHat.Span, _wGrad.Component(a), _work.Component(a), _work.Component(a));
                InterpolationAdjoint.InterpolateAdjoint(zHat, _points, zNext, BoundaryMode.Border, _splat);
                TensorPrimitives.Multiply<T>(zNext.Span, _change, _pHat.Span);
            }
            else _pHat.Span.Clear();
            // m̂ = (1−ρ)K((dt/h)·ŷ); step 0 adds ∂H_0/∂m_0 = (1−ρ)K m_0 = −v_0; then p̂ += Σ_a m̂_a ∂_aI.
            MomentumAdjoint(k, _deformation, kinetic);
            MomentumToDensityAdjoint(grad, accumulate: true);
            if (k == 0)
            {
                // p_0 enters step 0 directly; ∂H_0/∂p_0 also has the intensity part ρ·h^d·p_0.
                TensorPrimitives.Add<T>(_p0Adjoint.Span, _pHat.Span, _p0Adjoint.Span);
                if (kinetic != T.Zero && _intensity)
                    TensorPrimitives.MultiplyAdd<T>(_p0.Span, kinetic * T.CreateTruncating(Rho), _p0Adjoint.Span, _p0Adjoint.Span);
                break;
            }
            // Î_k = ∇ᵀ(m̂ p) also feeds Ẑ_k, as I_k = I_0∘ψ_k + Z_k.
            DensityStepAdjoint(k, p, next);
            if (_intensity) TensorPrimitives.Add<T>(zNext.Span, _imageHat.Span, zNext.Span);
            (psiHat, next) = (next, psiHat);
            (zHat, zNext) = (zNext, zHat);
        }
        _p0Adjoint.Span.CopyTo(gradient);
    }
}
