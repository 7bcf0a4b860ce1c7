using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// LDDMM image matching by descent on the time-dependent velocities (Beg, Miller, Trouvé &amp; Younes 2005),
/// with the gradient computed in the optimal-control (adjoint) form of Hart, Zach &amp; Niethammer (2009):
/// E(v) = ½ Σ_k dt ⟨v_k, L v_k⟩ + D(I_0∘ψ_N, I_1), minimised over v_0 … v_{N−1}.
/// </summary>
/// <remarks>
/// <para><b>Discretisation</b> (discretise-then-optimise): dt = 1/N; ψ_k and the transported image I_0∘ψ_N come from
/// <see cref="VelocityFlow{T}"/> (semi-Lagrangian, linear interpolation, Border: intensities and displacements at
/// the edge extend outwards). ⟨a, b⟩ = Σ_x a·b·h^d is the physical L² product, L the
/// <see cref="FourierMetric{T}"/> operator (γ − αΔ)^s − β∇∇· on the periodic grid.</para>
/// <para><b>Gradient</b>: the adjoint λ_N = ∂D/∂J_N · ∇I_0(ψ_N) is carried backwards through the same steps
/// (<see cref="VelocityFlow{T}.Backpropagate"/>), giving the exact Euclidean gradient g_k of the data term
/// w.r.t. the array v_k. The returned gradient is its Riesz representer in the metric
/// M = dt·h^d·L per time slice (<see cref="ApplyMetric"/>):
/// ∇_V E_k = v_k + K g_k / (dt·h^d), K = L⁻¹.
/// This is Beg's V-gradient v_t − K(|Dφ_{t,1}| ∇J⁰_t (J⁰_t − J¹_t))/σ² (halved, as our energy carries the ½),
/// with J⁰_t = I_0∘φ_t⁻¹ the transported source and J¹_t = I_1∘φ_{t,1} the target pulled back from t = 1: in the
/// continuum g_k/(dt·h^d) → −|Dφ_{t,1}| (J⁰_t − J¹_t)∇J⁰_t/σ² for SSD. Here the adjoint λ carries
/// |Dφ_{t,1}|(J⁰_1 − I_1)∘φ_{t,1} implicitly (the splat transports it backwards and accumulates the Jacobian),
/// so the returned field is the discrete counterpart, exact for the energy actually computed. Gradient descent on x with this gradient is Beg's update v ← v − ε∇_V E.</para>
/// <para><b>No padding</b>: the metric is built on the grid itself (<see cref="RegistrationSettings.PadToFastSizes"/>
/// is not used; other lengths go through Bluestein FFTs) so that K and L are exact inverses; with zero padding the
/// cropped K is not the inverse of the cropped L, and the gradient would no longer be the Riesz representer
/// in ⟨·,·⟩_M (the Taylor test in that inner product would then fail). The multiscale driver may pad the images
/// themselves instead.</para>
/// <para>All buffers are allocated in the constructor; <see cref="Evaluate"/> allocates nothing apart from the
/// small closures of the parallel kernels and the data term's reduction scratch. Not thread-safe.</para>
/// </remarks>
public sealed class LddmmProblem<T> : IRegistrationProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ScalarField<T> _fixed, _moving, _warped, _residual;
    private readonly IDataTerm<T> _data;
    private readonly FourierMetric<T> _metric;
    private readonly VelocityFlow<T> _flow;
    private readonly VectorField<T> _map, _imageGradient, _slice, _sliceOut;
    private readonly double _dt, _volume;
    private readonly int _d, _n;

    /// <summary>Creates the problem on the fixed image's grid.</summary>
    /// <param name="fixedImage">Target I_1.</param>
    /// <param name="movingImage">Source I_0, already resampled onto the fixed grid; transported by the flow.</param>
    /// <param name="dataTerm">Similarity D(I_0∘ψ_N, I_1).</param>
    /// <param name="settings">Uses <see cref="RegistrationSettings.Metric"/> and <see cref="RegistrationSettings.TimeSteps"/>.</param>
    public LddmmProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
    {
        ProblemArguments.Require(fixedImage, movingImage, dataTerm, settings);
        Geometry = fixedImage.Geometry;
        _fixed = fixedImage;
        _moving = movingImage;
        _data = dataTerm;
        _d = Geometry.Dimension;
        _n = Geometry.Count;
        _metric = new FourierMetric<T>(Geometry, settings.Metric, padToFastSizes: false);
        _flow = new VelocityFlow<T>(Geometry, settings.TimeSteps);
        _dt = _flow.TimeStep;
        _volume = _metric.VoxelVolume;
        _warped = new ScalarField<T>(Geometry);
        _residual = new ScalarField<T>(Geometry);
        _map = new VectorField<T>(Geometry);
        _imageGradient = new VectorField<T>(Geometry);
        _slice = new VectorField<T>(Geometry);
        _sliceOut = new VectorField<T>(Geometry);
    }

    /// <inheritdoc />
    public string Method => "lddmm";
    /// <inheritdoc />
    public ImageGeometry Geometry { get; }
    /// <summary>N·d: the velocity v_k's component a is parameter component k·d + a.</summary>
    public int ParameterComponents => _flow.TimeSteps * _d;
    /// <inheritdoc />
    public int Dimension => _flow.VelocityLength;
    /// <inheritdoc />
    public EnergySplit LastEnergy { get; private set; }
    /// <summary>Number of time steps N.</summary>
    public int TimeSteps => _flow.TimeSteps;
    /// <summary>The flow integrator (its stored maps are those of the last evaluation).</summary>
    public VelocityFlow<T> Flow => _flow;

    /// <summary>
    /// E(v) and its V-gradient ∇_V E_k = v_k + K g_k/(dt·h^d) (Riesz representer in ⟨a, M b⟩, M = <see cref="ApplyMetric"/>).
    /// </summary>
    public double Evaluate(ReadOnlySpan<T> x, Span<T> gradient)
    {
        RequireLength(x.Length, "parameters");
        RequireLength(gradient.Length, "gradient");
        _flow.Integrate(x);
        _flow.InverseMap(_flow.TimeSteps, _map);
        Interpolation.InterpolateWithGradient(_moving, _map, _warped, _imageGradient, BoundaryMode.Border);
        double data = _data.Evaluate(_warped, _fixed, _residual);
        // λ_N = ∂D/∂J_N ∇I_0(ψ_N), per index unit.
        for (int a = 0; a < _d; a++)
            TensorPrimitives.Multiply(_imageGradient.Component(a), _residual.Span, _imageGradient.Component(a));
        _flow.Backpropagate(x, _imageGradient, gradient);

        double regularity = 0;
        int block = _d * _n;
        T scale = T.CreateTruncating(1 / (_dt * _volume));
        for (int k = 0; k < _flow.TimeSteps; k++)
        {
            ReadOnlySpan<T> v = x.Slice(k * block, block);
            regularity += SliceEnergy(v);
            Span<T> g = gradient.Slice(k * block, block);
            g.CopyTo(_slice.Span);
            _metric.ApplyK(_slice, _slice);
            TensorPrimitives.MultiplyAdd(_slice.Span, scale, v, g);
        }
        LastEnergy = new EnergySplit(regularity, data);
        return LastEnergy.Total;
    }

    /// <summary>Energy only (no adjoint pass).</summary>
    public double Value(ReadOnlySpan<T> x)
    {
        RequireLength(x.Length, "parameters");
        _flow.Integrate(x);
        _flow.InverseMap(_flow.TimeSteps, _map);
        Interpolation.Interpolate(_moving, _map, _warped, BoundaryMode.Border);
        double data = _data.Evaluate(_warped, _fixed, null);
        double regularity = 0;
        int block = _d * _n;
        for (int k = 0; k < _flow.TimeSteps; k++) regularity += SliceEnergy(x.Slice(k * block, block));
        LastEnergy = new EnergySplit(regularity, data);
        return LastEnergy.Total;
    }

    /// <summary>M a with M = dt·h^d·L on every time slice (the V inner product of the path, Beg's metric).</summary>
    public void ApplyMetric(ReadOnlySpan<T> a, Span<T> result)
    {
        RequireLength(a.Length, "metric input");
        RequireLength(result.Length, "metric output");
        int block = _d * _n;
        T scale = T.CreateTruncating(_dt * _volume);
        for (int k = 0; k < _flow.TimeSteps; k++)
        {
            a.Slice(k * block, block).CopyTo(_slice.Span);
            _metric.ApplyL(_slice, _sliceOut);
            TensorPrimitives.Multiply(_sliceOut.Span, scale, result.Slice(k * block, block));
        }
    }

    /// <summary>I_0∘ψ_N (linear interpolation, Border).</summary>
    public void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped)
    {
        RequireLength(parameters.Length, "parameters");
        _flow.Integrate(parameters);
        _flow.Transport(_moving, _flow.TimeSteps, warped);
    }

    /// <summary>ψ_N, the semi-Lagrangian inverse map (fixed point ↦ moving point).</summary>
    public void InverseMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        RequireLength(parameters.Length, "parameters");
        _flow.Integrate(parameters);
        _flow.InverseMap(_flow.TimeSteps, map);
    }

    /// <summary>φ_N, the Lagrangian forward map (moving point ↦ fixed point).</summary>
    public void ForwardMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        RequireLength(parameters.Length, "parameters");
        _flow.ForwardMap(parameters, map);
    }

    /// <summary>½ dt ⟨v_k, L v_k⟩ (h^d included by the metric's inner product).</summary>
    private double SliceEnergy(ReadOnlySpan<T> v)
    {
        v.CopyTo(_slice.Span);
        _metric.ApplyL(_slice, _sliceOut);
        return 0.5 * _dt * _metric.InnerProduct(_slice, _sliceOut);
    }

    private void RequireLength(int length, string what)
    {
        if (length != Dimension)
            throw new GridMismatchException($"the LDDMM {what} have {length} values; {TimeSteps} steps × {_d} components on {Geometry} need {Dimension}.");
    }
}
