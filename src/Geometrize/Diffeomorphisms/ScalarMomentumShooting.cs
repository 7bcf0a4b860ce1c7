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
/// <see cref="Shoot"/> and <see cref="Adjoint"/> allocate nothing proportional to the grid; it is not thread-safe.</para>
/// </remarks>
public sealed partial class ScalarMomentumShooting<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _d, _n, _steps;
    private readonly T[] _stepScale;             // dt/h_a: index displacement per unit velocity
    private readonly VectorField<T>[] _psi;      // ψ_0 … ψ_N (ψ_0 = Id)
    private readonly VectorField<T>[] _velocity; // v_0 … v_{N−1}
    private readonly double[] _kinetic;
    private readonly ScalarField<T> _p0, _p0Adjoint, _finalImage;
    private readonly VectorField<T> _sourceGradient; // ∇I_0, fixed
    // Scratch shared by the forward and backward passes.
    private readonly ScalarField<T> _image, _q, _det, _p, _pHat, _qHat, _detHat, _imageHat;
    private readonly VectorField<T> _grad, _work, _points, _imageGrad, _qGrad, _psiHatA, _psiHatB, _gradHat;
    private readonly VectorField<T> _matrix;     // Dψ_k (d² components), then its cofactors times the det adjoint
    private readonly SplatWorkspace _splat;
    private bool _shot;

    /// <summary>Builds the shooting scheme for <paramref name="source"/> with its own Fourier metric.</summary>
    /// <param name="source">I_0, the image that is transported (the moving image).</param>
    /// <param name="metric">α, γ, s, β of the metric L; K = L⁻¹ turns momenta into velocities.</param>
    /// <param name="timeSteps">N, the number of time steps on [0, 1].</param>
    /// <param name="padToFastSizes">Zero-pad the FFT grid to 2·3·5-smooth sizes (see <see cref="FourierMetric{T}"/>).</param>
    public ScalarMomentumShooting(ScalarField<T> source, MetricParameters metric, int timeSteps, bool padToFastSizes = false)
        : this(source, new FourierMetric<T>(source.Geometry, metric, padToFastSizes), timeSteps) { }

    /// <summary>Builds the shooting scheme for <paramref name="source"/> with an existing metric on the same grid.</summary>
    public ScalarMomentumShooting(ScalarField<T> source, FourierMetric<T> metric, int timeSteps)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(metric);
        var g = source.Geometry;
        if (g.Dimension is not (2 or 3)) throw new GridMismatchException($"scalar-momentum shooting needs a 2-D or 3-D grid, got {g}.");
        metric.Geometry.RequireSameGrid(g, "the source image and the metric");
        if (timeSteps is < 1 or > 1000) throw new InvalidParameterException("--time-steps", $"must be between 1 and 1000, got {timeSteps}.");
        Source = source;
        Metric = metric;
        Geometry = g;
        _d = g.Dimension;
        _n = g.Count;
        _steps = timeSteps;
        _stepScale = new T[_d];
        for (int a = 0; a < _d; a++) _stepScale[a] = T.CreateTruncating(1.0 / timeSteps / g.Spacing[a]);

        _psi = new VectorField<T>[timeSteps + 1];
        for (int k = 0; k <= timeSteps; k++) _psi[k] = new VectorField<T>(g);
        DisplacementFields.IdentityMap(_psi[0]);
        _velocity = new VectorField<T>[timeSteps];
        for (int k = 0; k < timeSteps; k++) _velocity[k] = new VectorField<T>(g);
        _kinetic = new double[timeSteps];
        _p0 = new ScalarField<T>(g);
        _p0Adjoint = new ScalarField<T>(g);
        _finalImage = new ScalarField<T>(g);
        _sourceGradient = new VectorField<T>(g);
        FiniteDifferences.Gradient(source, _sourceGradient);

        _image = new(g); _q = new(g); _det = new(g); _p = new(g);
        _pHat = new(g); _qHat = new(g); _detHat = new(g); _imageHat = new(g);
        _grad = new(g); _work = new(g); _points = new(g); _imageGrad = new(g); _qGrad = new(g);
        _psiHatA = new(g); _psiHatB = new(g); _gradHat = new(g);
        _matrix = new VectorField<T>(g, _d * _d);
        _splat = new SplatWorkspace(_n, _d == 2 ? g.Ny : g.Nz);
    }

    /// <summary>The grid of every field.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>I_0, the transported image.</summary>
    public ScalarField<T> Source { get; }
    /// <summary>The metric whose K turns momenta into velocities.</summary>
    public FourierMetric<T> Metric { get; }
    /// <summary>N, the number of time steps.</summary>
    public int TimeSteps => _steps;
    /// <summary>Number of values of P_0 (the voxel count).</summary>
    public int ParameterCount => _n;

    /// <summary>I_1 = I_0∘ψ_N after the last <see cref="Shoot"/>.</summary>
    public ScalarField<T> FinalImage => _finalImage;
    /// <summary>ψ_N = φ_1⁻¹ after the last <see cref="Shoot"/> (continuous voxel indices).</summary>
    public VectorField<T> FinalInverseMap => _psi[_steps];
    /// <summary>½⟨m_k, K m_k⟩ (times the voxel volume) for k = 0 … N−1 after the last <see cref="Shoot"/>.</summary>
    public ReadOnlySpan<double> KineticEnergies => _kinetic;

    /// <summary>ψ_k (k = 0 … N), the inverse map at time k/N; valid after <see cref="Shoot"/>.</summary>
    public VectorField<T> InverseMap(int k) => (uint)k <= (uint)_steps ? _psi[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps}, got {k}.");

    /// <summary>v_k (k = 0 … N−1), the velocity used on step k (mm along the grid axes); valid after <see cref="Shoot"/>.</summary>
    public VectorField<T> Velocity(int k) => (uint)k < (uint)_steps ? _velocity[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps - 1}, got {k}.");

    /// <summary>
    /// Shoots from <paramref name="p0"/> (one value per voxel): stores ψ_k and v_k, computes <see cref="FinalImage"/>
    /// and returns the regularity ½⟨m_0, K m_0⟩ (physical: times the voxel volume).
    /// </summary>
    public double Shoot(ReadOnlySpan<T> p0)
    {
        if (p0.Length != _n) throw new InvalidParameterException("P0", $"has {p0.Length} values but the grid {Geometry} has {_n} voxels.");
        p0.CopyTo(_p0.Data);
        double volume = Metric.VoxelVolume;
        for (int k = 0; k < _steps; k++)
        {
            ScalarField<T> p;
            VectorField<T> grad;
            if (k == 0)
            {
                // ψ_0 = Id: the look-ups and det(Dψ_0) = 1 are exact, so skip them.
                p = _p0;
                grad = _sourceGradient;
            }
            else
            {
                Interpolation.Interpolate(Source, _psi[k], _image, BoundaryMode.Border);
                Interpolation.Interpolate(_p0, _psi[k], _q, BoundaryMode.Border);
                MapMatrixAndDeterminant(_psi[k], _matrix, _det);
                TensorPrimitives.Multiply<T>(_det.Data, _q.Data, _p.Data);
                FiniteDifferences.Gradient(_image, _grad);
                p = _p;
                grad = _grad;
            }
            // m_k = P_k ∇I_k into _work, v_k = −K m_k.
            for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(grad.Component(a), p.Data, _work.Component(a));
            var v = _velocity[k];
            Metric.ApplyK(_work, v);
            TensorPrimitives.Negate<T>(v.Data, v.Data);
            _kinetic[k] = -0.5 * volume * Reductions.Dot<T>(_work.Data, v.Data);
            // ψ_{k+1} = ψ_k ∘ (Id − dt·v_k/h).
            DeparturePoints(v, _points);
            Interpolation.Interpolate(_psi[k], _points, _psi[k + 1], BoundaryMode.Border);
        }
        Interpolation.Interpolate(Source, _psi[_steps], _finalImage, BoundaryMode.Border);
        _shot = true;
        return _kinetic[0];
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

    /// <summary>y = x − dt·v(x)/h, the departure points of the semi-Lagrangian step (index units).</summary>
    private void DeparturePoints(VectorField<T> v, VectorField<T> points) => DisplacementFields.DeparturePoints(_psi[0], v.Data, _stepScale, points);

    private void RequireShot()
    {
        if (!_shot) throw new InvalidParameterException("P0", "no momentum has been shot yet; call Shoot first.");
    }
}
