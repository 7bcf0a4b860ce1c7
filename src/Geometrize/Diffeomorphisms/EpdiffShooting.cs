using System.Numerics;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// Geodesic shooting on the diffeomorphism group from an initial vector momentum m_0 (EPDiff, Singh et al. 2013),
/// in the coadjoint-transport (Lagrangian) form, with its exact discrete adjoint.
/// </summary>
/// <remarks>
/// <para><b>Scheme.</b> With N steps, dt = 1/N and ψ_k = φ_k⁻¹ as an index-space map (ψ_0 = identity), each step is
/// <code>
/// m_k     = det(Dψ_k)·Dψ_kᵀ·(m_0∘ψ_k)     (coadjoint transport, physical Jacobian, see CoadjointTransport)
/// v_k     = K m_k
/// ψ_{k+1} = ψ_k(x − dt·v_k(x)/h)          (semi-Lagrangian, linear interpolation, Border)
/// </code>
/// Why this form rather than integrating EPDiff ∂m/∂t = −ad*_v m on the grid: it needs no finite-difference
/// advection of m, so it is stable for any step count (only the map is transported, by interpolation, which is
/// bounded), and it keeps m_t = Ad*_{φ_t⁻¹} m_0 exactly at the discrete level; EPDiff's conservation of the
/// momentum map is built in, and the energy ⟨m_k, K m_k⟩ is conserved up to the O(dt) error of the map update.
/// At k = 0 the transport is the identity, so m_0 is used as given (bit for bit what the formula gives, since
/// D(identity) = I exactly and interpolation at grid points is exact).</para>
/// <para><b>Adjoint.</b> <see cref="Adjoint"/> runs the transpose of every step backwards (interpolation
/// adjoints, derivative of interpolation with respect to the points, the transpose of the finite-difference
/// Jacobian, the cofactor derivative of det, and K, which is symmetric), so the gradient it returns is the exact
/// gradient of the discrete flow. It needs the ψ_k and the departure points stored by <see cref="Shoot"/>:
/// 2N + 1 d-component fields.</para>
/// <para>All buffers are allocated by the constructor; shooting and the adjoint allocate nothing proportional to
/// the grid. An instance is not thread-safe.</para>
/// </remarks>
public sealed partial class EpdiffShooting<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly VectorField<T>[] _psi;     // ψ_0 … ψ_N
    private readonly VectorField<T>[] _points;  // departure points q_k = x − dt v_k/h, k = 0 … N−1
    private readonly VectorField<T> _m0, _v0, _jacobian, _sampled, _work;
    private readonly T[] _ratios, _stepScale;

    /// <summary>Prepares a flow with <paramref name="timeSteps"/> steps on the metric's grid.</summary>
    /// <param name="metric">The operator K turning momenta into velocities (its grid is the flow's grid).</param>
    /// <param name="timeSteps">N ≥ 1.</param>
    public EpdiffShooting(FourierMetric<T> metric, int timeSteps)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (timeSteps is < 1 or > 1000) throw new InvalidParameterException("--time-steps", $"must be between 1 and 1000, got {timeSteps}.");
        Metric = metric;
        Geometry = metric.Geometry;
        TimeSteps = timeSteps;
        int d = Geometry.Dimension;
        _psi = new VectorField<T>[timeSteps + 1];
        for (int k = 0; k <= timeSteps; k++) _psi[k] = new VectorField<T>(Geometry);
        DisplacementFields.IdentityMap(_psi[0]);
        _points = new VectorField<T>[timeSteps];
        for (int k = 0; k < timeSteps; k++) _points[k] = new VectorField<T>(Geometry);
        _m0 = new VectorField<T>(Geometry);
        _v0 = new VectorField<T>(Geometry);
        _jacobian = new VectorField<T>(Geometry, d * d);
        _sampled = new VectorField<T>(Geometry);
        _work = new VectorField<T>(Geometry);
        _ratios = CoadjointTransport.SpacingRatios<T>(Geometry);
        _stepScale = new T[d];
        for (int a = 0; a < d; a++) _stepScale[a] = T.CreateTruncating(1.0 / timeSteps / Geometry.Spacing[a]);
        InitializeAdjoint();
    }

    /// <summary>The grid of every field of the flow.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>The metric (K = L⁻¹) of the flow.</summary>
    public FourierMetric<T> Metric { get; }
    /// <summary>Number of time steps N (dt = 1/N).</summary>
    public int TimeSteps { get; }
    /// <summary>The momentum of the last <see cref="Shoot(ReadOnlySpan{T})"/> (a copy; do not modify).</summary>
    public VectorField<T> InitialMomentum => _m0;
    /// <summary>v_0 = K m_0 of the last shot (do not modify).</summary>
    public VectorField<T> InitialVelocity => _v0;
    /// <summary>ψ_N = φ_1⁻¹ of the last shot, in continuous voxel indices (do not modify).</summary>
    public VectorField<T> FinalInverseMap => _psi[TimeSteps];

    /// <summary>ψ_k = φ_{k/N}⁻¹ of the last shot, 0 ≤ k ≤ N (do not modify).</summary>
    public VectorField<T> InverseMap(int k) => _psi[CheckStep(k, TimeSteps)];

    /// <summary>Shoots from <paramref name="momentum"/> (d components on <see cref="Geometry"/>, physical units).</summary>
    public void Shoot(VectorField<T> momentum)
    {
        FieldRequirements.SameGrid(momentum.Geometry, Geometry, "initial momentum and flow");
        FieldRequirements.Components(momentum, Geometry.Dimension, "initial momentum");
        Shoot(momentum.Data);
    }

    /// <summary>Shoots from a momentum given as a component-major array (the parameter vector of a problem).</summary>
    public void Shoot(ReadOnlySpan<T> momentum)
    {
        if (momentum.Length != _m0.Data.Length)
            throw new GridMismatchException($"the momentum has {momentum.Length} values; the flow needs {_m0.Data.Length} ({Geometry.Dimension} components on {Geometry}).");
        momentum.CopyTo(_m0.Data);
        for (int k = 0; k < TimeSteps; k++)
        {
            var v = k == 0 ? _v0 : _work;
            if (k == 0) Metric.ApplyK(_m0, _v0);
            else
            {
                Momentum(k, _work);
                Metric.ApplyK(_work, _work);
            }
            DisplacementFields.DeparturePoints(_psi[0], v.Data, _stepScale, _points[k]);
            Interpolation.Interpolate(_psi[k], _points[k], _psi[k + 1], BoundaryMode.Border);
        }
    }

    /// <summary>m_k = det(Dψ_k)·Dψ_kᵀ·(m_0∘ψ_k) of the last shot, 0 ≤ k ≤ N, into <paramref name="result"/>.</summary>
    public void Momentum(int k, VectorField<T> result)
    {
        CheckStep(k, TimeSteps);
        FieldRequirements.Components(result, Geometry.Dimension, "momentum output");
        if (k == 0)
        {
            _m0.Data.CopyTo(result.Data, 0);
            return;
        }
        CoadjointTransport.MapJacobian(_psi[k], _jacobian);
        Interpolation.Interpolate(_m0, _psi[k], _sampled, BoundaryMode.Border);
        CoadjointTransport.Transport(_jacobian, _sampled, _ratios, result);
    }

    /// <summary>v_k = K m_k of the last shot, 0 ≤ k ≤ N, into <paramref name="result"/> (recomputed).</summary>
    public void Velocity(int k, VectorField<T> result)
    {
        Momentum(k, result);
        Metric.ApplyK(result, result);
    }

    /// <summary>
    /// φ_1 (moving point ↦ fixed point, continuous indices) of the last shot, integrated forwards in Lagrangian
    /// form φ_{k+1} = φ_k + dt·v_k(φ_k)/h from the identity. It is the inverse of <see cref="FinalInverseMap"/> up
    /// to the time-discretisation error of both integrations.
    /// </summary>
    public void ForwardMap(VectorField<T> map)
    {
        FieldRequirements.SameGrid(map.Geometry, Geometry, "forward map and flow");
        FieldRequirements.Components(map, Geometry.Dimension, "forward map");
        int d = Geometry.Dimension, n = Geometry.Count;
        double dt = 1.0 / TimeSteps;
        DisplacementFields.IdentityMap(map);
        var sampledVelocity = _sampled;
        for (int k = 0; k < TimeSteps; k++)
        {
            Velocity(k, _work);
            Interpolation.Interpolate(_work, map, sampledVelocity, BoundaryMode.Border);
            for (int a = 0; a < d; a++)
            {
                T s = T.CreateTruncating(dt / Geometry.Spacing[a]);
                var dst = map.Data.AsSpan(a * n, n);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(sampledVelocity.Data.AsSpan(a * n, n), s, dst, dst);
            }
        }
    }

    private static int CheckStep(int k, int max)
    {
        if (k < 0 || k > max) throw new ArgumentOutOfRangeException(nameof(k), k, $"time step must be between 0 and {max}.");
        return k;
    }
}
