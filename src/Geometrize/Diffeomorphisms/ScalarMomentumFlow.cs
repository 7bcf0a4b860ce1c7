using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// What every shooting scheme driven by a scalar momentum p shares (Vialard et al. 2012; metamorphosis, Holm, Trouvé
/// &amp; Younes 2009): the image I_0 and p_0 are carried by the inverse map ψ_k, with p_k = det(Dψ_k)·(p_0∘ψ_k),
/// m_k = p_k∇I_k, a velocity v_k = −c·K m_k and the semi-Lagrangian update ψ_{k+1}(x) = ψ_k(x − dt·v_k(x)/h).
/// This base owns the stored path (ψ_0 … ψ_N, v_0 … v_{N−1}), the scratch fields and the steps of the forward and
/// adjoint passes that the schemes have in common; the derived scheme decides the energy and what else is carried.
/// </summary>
/// <remarks>
/// Only this assembly derives from it (<see cref="ScalarMomentumShooting{T}"/>, <see cref="MetamorphosisShooting{T}"/>).
/// All buffers are allocated in the constructor; an instance is not thread-safe.
/// </remarks>
public abstract partial class ScalarMomentumFlow<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected readonly int _d, _n, _steps;
    private protected readonly T[] _stepScale;             // dt/h_a: index displacement per unit velocity
    private protected readonly VectorField<T>[] _psi;      // ψ_0 … ψ_N (ψ_0 = Id)
    private protected readonly VectorField<T>[] _velocity; // v_0 … v_{N−1}
    private protected readonly ScalarField<T> _p0, _p0Adjoint, _finalImage;
    private protected readonly VectorField<T> _sourceGradient; // ∇I_0, fixed
    // Scratch shared by the forward and backward passes.
    private protected readonly ScalarField<T> _image, _q, _det, _p, _pHat, _qHat, _detHat, _imageHat;
    private protected readonly VectorField<T> _grad, _work, _points, _imageGrad, _qGrad, _psiHatA, _psiHatB, _gradHat;
    private protected readonly VectorField<T> _matrix;     // Dψ_k (d² components), then its cofactors times the det adjoint
    private protected readonly SplatWorkspace _splat;
    private protected bool _shot;
    private readonly string _momentumName;

    /// <summary>Checks the arguments and allocates the path and the scratch fields.</summary>
    /// <param name="source">I_0, the image that is transported.</param>
    /// <param name="metric">The metric on the grid of <paramref name="source"/>.</param>
    /// <param name="timeSteps">N, between 1 and 1000.</param>
    /// <param name="scheme">The scheme's name in error messages.</param>
    /// <param name="momentumName">The momentum's name in error messages (<c>P0</c>, <c>p0</c>).</param>
    private protected ScalarMomentumFlow(ScalarField<T> source, FourierMetric<T> metric, int timeSteps, string scheme, string momentumName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(metric);
        var g = source.Geometry;
        if (g.Dimension is not (2 or 3)) throw new GridMismatchException($"{scheme} needs a 2-D or 3-D grid, got {g}.");
        metric.Geometry.RequireSameGrid(g, "the source image and the metric");
        if (timeSteps is < 1 or > 1000) throw new InvalidParameterException("--time-steps", $"must be between 1 and 1000, got {timeSteps}.");
        _momentumName = momentumName;
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
        _p0 = new(g); _p0Adjoint = new(g); _finalImage = new(g);
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
    /// <summary>Number of values of the initial momentum (the voxel count).</summary>
    public int ParameterCount => _n;

    /// <summary>I_1, the image at t = 1 after the last <see cref="Shoot"/>.</summary>
    public ScalarField<T> FinalImage => _finalImage;
    /// <summary>ψ_N = φ_1⁻¹ after the last <see cref="Shoot"/> (continuous voxel indices).</summary>
    public VectorField<T> FinalInverseMap => _psi[_steps];

    /// <summary>ψ_k (k = 0 … N), the inverse map at time k/N; valid after <see cref="Shoot"/>.</summary>
    public VectorField<T> InverseMap(int k) => (uint)k <= (uint)_steps ? _psi[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps}, got {k}.");

    /// <summary>v_k (k = 0 … N−1), the velocity used on step k (mm along the grid axes); valid after <see cref="Shoot"/>.</summary>
    public VectorField<T> Velocity(int k) => (uint)k < (uint)_steps ? _velocity[k]
        : throw new InvalidParameterException("k", $"must be between 0 and {_steps - 1}, got {k}.");

    /// <summary>
    /// Shoots from <paramref name="p0"/> (one value per voxel): stores the path, computes <see cref="FinalImage"/> and
    /// returns the regularity of the scheme at t = 0 (physical: times the voxel volume).
    /// </summary>
    public abstract double Shoot(ReadOnlySpan<T> p0);

    /// <summary>
    /// Gradient with respect to p_0 (Euclidean: one value per voxel) of <c>regularityWeight·(regularity) + Σ_x Î_1(x)·I_1(x)</c>,
    /// where <paramref name="finalImageAdjoint"/> = Î_1 is ∂D/∂I_1 of a data term (voxel volume included), at the p_0
    /// of the last <see cref="Shoot"/>.
    /// </summary>
    public abstract void Adjoint(ScalarField<T> finalImageAdjoint, double regularityWeight, Span<T> gradient);

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

    /// <summary>Checks the length of p_0 and copies it into the stored initial momentum.</summary>
    private protected void LoadMomentum(ReadOnlySpan<T> p0)
    {
        if (p0.Length != _n) throw new InvalidParameterException(_momentumName, $"has {p0.Length} values but the grid {Geometry} has {_n} voxels.");
        p0.CopyTo(_p0.Data);
    }

    /// <summary>
    /// The state of step k from the stored ψ_k: p_k (returned, with ∇I_k), and in the scratch fields I_0∘ψ_k
    /// (<c>_image</c>), p_0∘ψ_k (<c>_q</c>), Dψ_k (<c>_matrix</c>) and its determinant (<c>_det</c>); with
    /// <paramref name="withGradients"/> also ∇I_0(ψ_k) and ∇p_0(ψ_k) for the adjoint. Step 0 is exact (ψ_0 = Id,
    /// det = 1), so its look-ups are skipped.
    /// </summary>
    private protected (ScalarField<T> P, VectorField<T> Grad) State(int k, bool withGradients)
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
        MapMatrixAndDeterminant(_psi[k], _matrix, _det);
        TensorPrimitives.Multiply<T>(_det.Data, _q.Data, _p.Data);
        FiniteDifferences.Gradient(ImageAt(k), _grad);
        return (_p, _grad);
    }

    /// <summary>I_k for k ≥ 1, given I_0∘ψ_k in <c>_image</c>: that field itself unless the scheme also changes intensity.</summary>
    private protected virtual ScalarField<T> ImageAt(int k) => _image;

    /// <summary>m_k = p_k∇I_k into <c>_work</c> and v_k = <paramref name="scale"/>·K m_k into the stored velocity, which is returned.</summary>
    private protected VectorField<T> MomentumToVelocity(int k, ScalarField<T> p, VectorField<T> grad, T scale)
    {
        for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(grad.Component(a), p.Data, _work.Component(a));
        var v = _velocity[k];
        Metric.ApplyK(_work, v);
        TensorPrimitives.Multiply<T>(v.Data, scale, v.Data);
        return v;
    }

    /// <summary>−½⟨m, v⟩ times the voxel volume, with m in <c>_work</c> (½⟨m, K m⟩ when v = −K m).</summary>
    private protected double HalfMomentumVelocityPairing(VectorField<T> v) => -0.5 * Metric.VoxelVolume * Reductions.Dot<T>(_work.Data, v.Data);

    /// <summary>ψ_{k+1} = ψ_k(y), y = x − dt·v_k/h; leaves the departure points y in <c>_points</c>.</summary>
    private protected void AdvanceMap(int k, VectorField<T> v)
    {
        DeparturePoints(v, _points);
        Interpolation.Interpolate(_psi[k], _points, _psi[k + 1], BoundaryMode.Border);
    }

    /// <summary>y = x − dt·v(x)/h, the departure points of the semi-Lagrangian step (index units).</summary>
    private protected void DeparturePoints(VectorField<T> v, VectorField<T> points) => DisplacementFields.DeparturePoints(_psi[0], v.Data, _stepScale, points);

    /// <summary>Throws unless <see cref="Shoot"/> has run.</summary>
    private protected void RequireShot()
    {
        if (!_shot) throw new InvalidParameterException(_momentumName, "no momentum has been shot yet; call Shoot first.");
    }
}
