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
/// thread-safe. The per-voxel kernels (Dψ and its determinant, their adjoints, the map-point adjoint) are those of
/// <see cref="ScalarMomentumShooting{T}"/>.</para>
/// </remarks>
public sealed partial class MetamorphosisShooting<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _d, _n, _steps;
    private readonly T[] _stepScale;              // dt/h_a
    private readonly T _deformation, _change;     // 1 − ρ and dt·ρ
    private readonly bool _intensity;             // ρ > 0: Z is advanced
    private readonly VectorField<T>[] _psi;       // ψ_0 … ψ_N
    private readonly VectorField<T>[] _velocity;  // v_0 … v_{N−1}
    private readonly ScalarField<T>[] _z;         // Z_0 … Z_N (Z_0 = 0)
    private readonly double[] _hamiltonian;
    private readonly ScalarField<T> _p0, _p0Adjoint, _finalImage;
    private readonly VectorField<T> _sourceGradient;
    // Scratch shared by the forward and backward passes.
    private readonly ScalarField<T> _warped, _image, _q, _det, _p, _w, _wValue, _pHat, _qHat, _detHat, _imageHat, _zHatA, _zHatB;
    private readonly VectorField<T> _grad, _work, _points, _imageGrad, _qGrad, _wGrad, _psiHatA, _psiHatB, _gradHat;
    private readonly VectorField<T> _matrix;
    private readonly SplatWorkspace _splat;
    private bool _shot;

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
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(metric);
        var g = source.Geometry;
        if (g.Dimension is not (2 or 3)) throw new GridMismatchException($"metamorphosis needs a 2-D or 3-D grid, got {g}.");
        metric.Geometry.RequireSameGrid(g, "the source image and the metric");
        if (timeSteps is < 1 or > 1000) throw new InvalidParameterException("--time-steps", $"must be between 1 and 1000, got {timeSteps}.");
        RequireRho(rho);
        Source = source;
        Metric = metric;
        Geometry = g;
        Rho = rho;
        _d = g.Dimension;
        _n = g.Count;
        _steps = timeSteps;
        _stepScale = new T[_d];
        for (int a = 0; a < _d; a++) _stepScale[a] = T.CreateTruncating(1.0 / timeSteps / g.Spacing[a]);
        _deformation = T.CreateTruncating(1 - rho);
        _change = T.CreateTruncating(rho / timeSteps);
        _intensity = rho > 0;

        _psi = new VectorField<T>[timeSteps + 1];
        for (int k = 0; k <= timeSteps; k++) _psi[k] = new VectorField<T>(g);
        DisplacementFields.IdentityMap(_psi[0]);
        _velocity = new VectorField<T>[timeSteps];
        for (int k = 0; k < timeSteps; k++) _velocity[k] = new VectorField<T>(g);
        _z = new ScalarField<T>[timeSteps + 1];
        for (int k = 0; k <= timeSteps; k++) _z[k] = new ScalarField<T>(g);
        _hamiltonian = new double[timeSteps];
        _p0 = new(g); _p0Adjoint = new(g); _finalImage = new(g);
        _sourceGradient = new VectorField<T>(g);
        FiniteDifferences.Gradient(source, _sourceGradient);

        _warped = new(g); _image = new(g); _q = new(g); _det = new(g); _p = new(g); _w = new(g); _wValue = new(g);
        _pHat = new(g); _qHat = new(g); _detHat = new(g); _imageHat = new(g); _zHatA = new(g); _zHatB = new(g);
        _grad = new(g); _work = new(g); _points = new(g); _imageGrad = new(g); _qGrad = new(g); _wGrad = new(g);
        _psiHatA = new(g); _psiHatB = new(g); _gradHat = new(g);
        _matrix = new VectorField<T>(g, _d * _d);
        _splat = new SplatWorkspace(_n, _d == 2 ? g.Ny : g.Nz);
    }

    /// <summary>The grid of every field.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>I_0.</summary>
    public ScalarField<T> Source { get; }
    /// <summary>The metric whose K turns momenta into velocities.</summary>
    public FourierMetric<T> Metric { get; }
    /// <summary>ρ: 0 pure deformation, 1 pure intensity change.</summary>
    public double Rho { get; }
    /// <summary>N, the number of time steps.</summary>
    public int TimeSteps => _steps;
    /// <summary>Number of values of p_0 (the voxel count).</summary>
    public int ParameterCount => _n;

    /// <summary>I_1 = I_0∘ψ_N + Z_N after the last <see cref="Shoot"/>.</summary>
    public ScalarField<T> FinalImage => _finalImage;
    /// <summary>ψ_N = φ_1⁻¹ after the last <see cref="Shoot"/> (continuous voxel indices).</summary>
    public VectorField<T> FinalInverseMap => _psi[_steps];
    /// <summary>Z_N, the accumulated intensity change (I_1 minus the deformed source) after the last <see cref="Shoot"/>.</summary>
    public ScalarField<T> FinalIntensityChange => _z[_steps];
    /// <summary>H_k = ½(1−ρ)⟨m_k, K m_k⟩ + ½ρ‖p_k‖² (times the voxel volume), k = 0 … N−1, after the last <see cref="Shoot"/>.</summary>
    public ReadOnlySpan<double> Hamiltonians => _hamiltonian;

    /// <summary>ψ_k (k = 0 … N); valid after <see cref="Shoot"/>.</summary>
    public VectorField<T> InverseMap(int k) => (uint)k <= (uint)_steps ? _psi[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps}, got {k}.");

    /// <summary>v_k (k = 0 … N−1), mm along the grid axes; valid after <see cref="Shoot"/>.</summary>
    public VectorField<T> Velocity(int k) => (uint)k < (uint)_steps ? _velocity[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps - 1}, got {k}.");

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
    /// Shoots from <paramref name="p0"/> (one value per voxel): stores ψ_k, v_k and Z_k, computes
    /// <see cref="FinalImage"/> and returns the regularity H_0 = ½(1−ρ)⟨m_0, K m_0⟩ + ½ρ‖p_0‖² (times the voxel volume).
    /// </summary>
    public double Shoot(ReadOnlySpan<T> p0)
    {
        if (p0.Length != _n) throw new InvalidParameterException("p0", $"has {p0.Length} values but the grid {Geometry} has {_n} voxels.");
        p0.CopyTo(_p0.Data);
        double volume = Metric.VoxelVolume;
        for (int k = 0; k < _steps; k++)
        {
            var (p, grad) = State(k, withGradients: false);
            var v = _velocity[k];
            for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(grad.Component(a), p.Data, _work.Component(a));
            Metric.ApplyK(_work, v);
            TensorPrimitives.Multiply<T>(v.Data, -_deformation, v.Data);
            // ⟨m, v⟩ = −(1−ρ)⟨m, K m⟩.
            _hamiltonian[k] = -0.5 * volume * Reductions.Dot<T>(_work.Data, v.Data) + 0.5 * Rho * volume * Reductions.Dot<T>(p.Data, p.Data);
            DeparturePoints(v, _points);
            Interpolation.Interpolate(_psi[k], _points, _psi[k + 1], BoundaryMode.Border);
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

    /// <summary>
    /// φ_1 (moving point ↦ fixed point, continuous voxel indices) from the stored velocities of the last
    /// <see cref="Shoot"/>, by forward Euler along the trajectories: φ_{k+1} = φ_k + dt·v_k(φ_k)/h.
    /// </summary>
    public void ForwardMap(VectorField<T> map)
    {
        RequireShot();
        FieldRequirements.SameGrid(Geometry, map.Geometry, "the forward map and the shooting grid");
        FieldRequirements.Components(map, _d, "forward map");
        DisplacementFields.IdentityMap(map);
        for (int k = 0; k < _steps; k++)
        {
            Interpolation.Interpolate(_velocity[k], map, _work, BoundaryMode.Border);
            for (int a = 0; a < _d; a++)
                TensorPrimitives.MultiplyAdd<T>(_work.Component(a), _stepScale[a], map.Component(a), map.Component(a));
        }
    }

    /// <summary>
    /// The state of step k from the stored ψ_k and Z_k: p_k (returned, with ∇I_k), and in the scratch fields
    /// I_0∘ψ_k (<c>_image</c>), p_0∘ψ_k (<c>_q</c>), Dψ_k (<c>_matrix</c>) and its determinant (<c>_det</c>); with
    /// <paramref name="withGradients"/> also ∇I_0(ψ_k) and ∇p_0(ψ_k) for the adjoint. Step 0 is exact (ψ_0 = Id).
    /// </summary>
    private (ScalarField<T> P, VectorField<T> Grad) State(int k, bool withGradients)
    {
        if (k == 0) return (_p0, _sourceGradient);
        if (withGradients)
        {
            Interpolation.InterpolateWithGradient(Source, _psi[k], _image, _imageGrad, BoundaryMode.Border);
            Interpolation.InterpolateWithGradient(_p0, _psi[k], _q, _qGrad, BoundaryMode.Border);
        }
        else
        {
            Interpolation.Interpolate(Source, _psi[k], _image, BoundaryMode.Border);
            Interpolation.Interpolate(_p0, _psi[k], _q, BoundaryMode.Border);
        }
        ScalarMomentumShooting<T>.MapMatrixAndDeterminant(_psi[k], _matrix, _det);
        TensorPrimitives.Multiply<T>(_det.Data, _q.Data, _p.Data);
        if (_intensity)
        {
            // I_k = I_0∘ψ_k + Z_k; _w is free here (it is rebuilt from p_k after this call).
            TensorPrimitives.Add<T>(_image.Span, _z[k].Span, _w.Span);
            FiniteDifferences.Gradient(_w, _grad);
        }
        else FiniteDifferences.Gradient(_image, _grad);
        return (_p, _grad);
    }

    /// <summary>y = x − dt·v(x)/h (index units).</summary>
    private void DeparturePoints(VectorField<T> v, VectorField<T> points) => DisplacementFields.DeparturePoints(_psi[0], v.Data, _stepScale, points);

    private void RequireShot()
    {
        if (!_shot) throw new InvalidParameterException("p0", "no momentum has been shot yet; call Shoot first.");
    }

    /// <summary>Throws <see cref="InvalidParameterException"/> (<c>--rho</c>) unless 0 ≤ ρ ≤ 1.</summary>
    public static void RequireRho(double rho)
    {
        if (!(rho >= 0 && rho <= 1))
            throw new InvalidParameterException("--rho", $"must be between 0 (pure deformation) and 1 (pure intensity change), got {rho}.");
    }
}
