using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// Registration by geodesic shooting from an initial vector momentum m_0 (Singh, Hinkle, Joshi &amp; Fletcher 2013),
/// the default method: E(m_0) = ½⟨m_0, K m_0⟩ + D(I_0∘ψ_N, J), with ψ_N = φ_1⁻¹ from <see cref="EpdiffShooting{T}"/>.
/// </summary>
/// <remarks>
/// <para>The parameter is m_0 (d components along the grid axes, physical units). The regularity is measured at
/// t = 0; the coadjoint-transport scheme conserves it along the path up to the time-discretisation error.</para>
/// <para><b>Gradient.</b> Evaluate computes the exact Euclidean gradient ∇E = h^d·K_flow·m_0 + ∂D/∂m_0 (the
/// second part from the discrete adjoint of the flow) and returns the Riesz representer G in the V* metric
/// M = h^d·K, i.e. the solution of M·G = ∇E. That solve is exact because M is built from an <i>unpadded</i>
/// Fourier metric, whose L is exactly K⁻¹: G = L·∇E / h^d. When the flow's metric is zero-padded to FFT-friendly
/// sizes (its K is then PᵀK̃P, not invertible by any cheap L), the preconditioner is this separate unpadded
/// metric; without padding (or when the size is already friendly) the two coincide and G = m_0 + L·∂D/∂m_0/h^d.
/// This preconditioning is what lets L-BFGS converge in few iterations: in this metric the regularity term has
/// the identity Hessian.</para>
/// <para><b>Coarse flow.</b> With <see cref="RegistrationSettings.FlowShrink"/> &gt; 1 the momentum, the flow and
/// its adjoint live on <see cref="ParameterGeometry"/>, the level grid shrunk by that factor, and the final map is
/// carried to the image grid by <see cref="FlowGridTransfer{T}"/> (and its exact transpose on the way back), so
/// the data term still sees every voxel while the flow costs f^d times less.</para>
/// <para>The moving image is interpolated with <see cref="BoundaryMode.Border"/>; maps with Border as well.
/// All buffers are allocated in the constructor; <see cref="Evaluate"/> allocates nothing proportional to the
/// grid. Not thread-safe.</para>
/// </remarks>
public sealed class VectorShootingProblem<T> : IRegistrationProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ScalarField<T> _fixed, _moving, _warped, _imageAdjoint;
    private readonly IDataTerm<T> _dataTerm;
    private readonly FourierMetric<T> _flowMetric, _rieszMetric;
    private readonly EpdiffShooting<T> _flow;
    private readonly VectorField<T> _imageGradient, _mapAdjoint, _momentumGradient, _scratch;
    private readonly FlowGridTransfer<T>? _transfer;
    private readonly VectorField<T>? _imageMap, _flowMapAdjoint, _flowMap;
    private readonly double _voxelVolume;

    /// <summary>Builds the problem on the fixed image's grid (the moving image must already be on it).</summary>
    /// <param name="fixedImage">Target J.</param>
    /// <param name="movingImage">Source I_0, transported by the flow.</param>
    /// <param name="dataTerm">Similarity term.</param>
    /// <param name="settings">Metric, time steps and FFT padding are used.</param>
    public VectorShootingProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
    {
        ProblemArguments.Require(fixedImage, movingImage, dataTerm, settings);
        Geometry = fixedImage.Geometry;
        if (Geometry.Dimension is not (2 or 3))
            throw new GridMismatchException($"registration needs a 2-D or 3-D grid, got {Geometry}.");
        _fixed = fixedImage;
        _moving = movingImage;
        _dataTerm = dataTerm;
        var flowFactors = MultiscaleRegistration<T>.LevelFactors(Geometry, settings.FlowShrink);
        ParameterGeometry = flowFactors.Any(f => f > 1) ? Resampling.ShrunkGeometry(Geometry, flowFactors) : Geometry;
        var fg = ParameterGeometry;
        if (!ReferenceEquals(fg, Geometry))
        {
            _transfer = new FlowGridTransfer<T>(fg, Geometry);
            _imageMap = new VectorField<T>(Geometry);
            _flowMapAdjoint = new VectorField<T>(fg);
            _flowMap = new VectorField<T>(fg);
        }
        _flowMetric = new FourierMetric<T>(fg, settings.Metric, settings.PadToFastSizes);
        _rieszMetric = _flowMetric.TransformSize.SequenceEqual(fg.Size) ? _flowMetric : new FourierMetric<T>(fg, settings.Metric, false);
        _flow = new EpdiffShooting<T>(_flowMetric, settings.TimeSteps);
        _warped = new ScalarField<T>(Geometry);
        _imageAdjoint = new ScalarField<T>(Geometry);
        _imageGradient = new VectorField<T>(Geometry);
        _mapAdjoint = new VectorField<T>(Geometry);
        _momentumGradient = new VectorField<T>(fg);
        _scratch = new VectorField<T>(fg);
        _voxelVolume = _flowMetric.VoxelVolume;
    }

    /// <inheritdoc />
    public string Method => "shooting";
    /// <inheritdoc />
    public ImageGeometry Geometry { get; }
    /// <inheritdoc />
    public ImageGeometry ParameterGeometry { get; }
    /// <inheritdoc />
    public int ParameterComponents => Geometry.Dimension;
    /// <inheritdoc />
    public int Dimension => ParameterGeometry.Count * Geometry.Dimension;
    /// <inheritdoc />
    public EnergySplit LastEnergy { get; private set; }
    /// <summary>The flow of the last evaluation (ψ_k, momenta, velocities), for diagnostics.</summary>
    public EpdiffShooting<T> Flow => _flow;

    /// <inheritdoc />
    public double Evaluate(ReadOnlySpan<T> x, Span<T> gradient)
    {
        CheckLength(x.Length, "parameters");
        CheckLength(gradient.Length, "gradient");
        _flow.Shoot(x);
        Interpolation.InterpolateWithGradient(_moving, FinalInverseMap(), _warped, _imageGradient, BoundaryMode.Border);
        double data = _dataTerm.Evaluate(_warped, _fixed, _imageAdjoint);
        double regularity = Regularity(x);
        LastEnergy = new EnergySplit(regularity, data);

        // λ_N = ∂D/∂I_1 · ∇I_0(ψ_N) (per index unit), then back through the flow.
        int d = Geometry.Dimension;
        for (int c = 0; c < d; c++)
            TensorPrimitives.Multiply(_imageGradient.Component(c), _imageAdjoint.Span, _mapAdjoint.Component(c));
        if (_transfer != null)
        {
            _transfer.MapAdjoint(_mapAdjoint, _flowMapAdjoint!);
            _flow.Adjoint(_flowMapAdjoint!, _momentumGradient);
        }
        else
        {
            _flow.Adjoint(_mapAdjoint, _momentumGradient);
        }

        // ∇E = h^d·v_0 + ∂D/∂m_0; G = M⁻¹∇E = L(v_0 + ∂D/∂m_0 / h^d).
        TensorPrimitives.MultiplyAdd(_momentumGradient.Data, T.CreateTruncating(1 / _voxelVolume), _flow.InitialVelocity.Data, _scratch.Data);
        _rieszMetric.ApplyL(_scratch, _scratch);
        _scratch.Data.CopyTo(gradient);
        return LastEnergy.Total;
    }

    /// <summary>Energy only: the forward shot without the adjoint (line searches).</summary>
    public double Value(ReadOnlySpan<T> x)
    {
        CheckLength(x.Length, "parameters");
        _flow.Shoot(x);
        Interpolation.Interpolate(_moving, FinalInverseMap(), _warped, BoundaryMode.Border);
        double data = _dataTerm.Evaluate(_warped, _fixed, null);
        LastEnergy = new EnergySplit(Regularity(x), data);
        return LastEnergy.Total;
    }

    /// <summary>M·a with M = h^d·K of the unpadded metric (see remarks).</summary>
    public void ApplyMetric(ReadOnlySpan<T> a, Span<T> result)
    {
        CheckLength(a.Length, "metric input");
        CheckLength(result.Length, "metric output");
        a.CopyTo(_scratch.Data);
        _rieszMetric.ApplyK(_scratch, _scratch);
        TensorPrimitives.Multiply(_scratch.Data, T.CreateTruncating(_voxelVolume), result);
    }

    /// <inheritdoc />
    public void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped)
    {
        CheckLength(parameters.Length, "parameters");
        warped.Geometry.RequireSameGrid(Geometry, "the warped-image output and the problem grid");
        _flow.Shoot(parameters);
        Interpolation.Interpolate(_moving, FinalInverseMap(), warped, BoundaryMode.Border);
    }

    /// <inheritdoc />
    public void InverseMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        CheckMap(parameters, map);
        _flow.Shoot(parameters);
        FinalInverseMap().Data.CopyTo(map.Data, 0);
    }

    /// <inheritdoc />
    public void ForwardMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        CheckMap(parameters, map);
        _flow.Shoot(parameters);
        if (_transfer == null)
        {
            _flow.ForwardMap(map);
            return;
        }
        _flow.ForwardMap(_flowMap!);
        _transfer.Map(_flowMap!, map);
    }

    /// <summary>ψ_N of the last shot on the image grid (carried over from the flow grid when they differ).</summary>
    private VectorField<T> FinalInverseMap()
    {
        if (_transfer == null) return _flow.FinalInverseMap;
        _transfer.Map(_flow.FinalInverseMap, _imageMap!);
        return _imageMap!;
    }

    /// <summary>½⟨m_0, K m_0⟩·h^d with K m_0 = v_0 of the last shot.</summary>
    private double Regularity(ReadOnlySpan<T> x)
    {
        return 0.5 * Reductions.Dot<T>(x, _flow.InitialVelocity.Data) * _voxelVolume;
    }

    private void CheckMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        CheckLength(parameters.Length, "parameters");
        map.Geometry.RequireSameGrid(Geometry, "the map output and the problem grid");
        if (map.Components != Geometry.Dimension)
            throw new GridMismatchException($"the map output has {map.Components} components; {Geometry.Dimension} are needed.");
    }

    private void CheckLength(int length, string what)
    {
        if (length != Dimension)
            throw new GridMismatchException($"the {what} have {length} values; the shooting problem on {Geometry} needs {Dimension} ({Geometry.Dimension} momentum components per voxel of the flow grid {ParameterGeometry}).");
    }
}
