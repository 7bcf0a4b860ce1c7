using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// The flow of a time-dependent velocity field v_t, t ∈ [0, 1], discretised with N steps of dt = 1/N (v_k held
/// constant on [k dt, (k+1) dt)): the inverse maps ψ_k ≈ φ_{k dt}⁻¹ by semi-Lagrangian steps, the forward map
/// φ_N by Lagrangian (Euler) steps, the transport of images I∘ψ_k, and the exact discrete adjoint of ψ_N with
/// respect to the velocities (back-propagation through the same steps).
/// </summary>
/// <remarks>
/// <para><b>Velocities</b> are one flat span of N·d blocks of <see cref="ImageGeometry.Count"/> values, block
/// k·d + a holding component a of v_k in physical units (mm) along grid axis a — the parameter layout of
/// LDDMM. To move by v in index units component a is divided by the spacing h_a.</para>
/// <para><b>Inverse maps</b> (continuous voxel indices; x ↦ point of the source the fluid at x came from):
/// ψ_0 = Id, ψ_{k+1}(x) = ψ_k(p_k(x)) with the departure points p_k(x) = x − dt·v_k(x)/h. The map is stored as
/// its displacement u_k = ψ_k − Id and the step is evaluated as ψ_{k+1}(x) = p_k(x) + u_k(p_k(x)) with u_k
/// interpolated linearly (<see cref="BoundaryMode.Border"/>). Inside the grid this is identical to interpolating
/// ψ_k itself (linear interpolation reproduces the identity exactly); outside it extrapolates the identity
/// instead of clamping it, so a translation moves the map by exactly dt·v/h per step everywhere and the border
/// does not act as a wall.</para>
/// <para><b>Forward map</b>: φ_0 = Id, φ_{k+1} = φ_k + dt·v_k(φ_k)/h with v_k interpolated (Border). It is the
/// approximate inverse of ψ_N: ‖φ_N∘ψ_N − Id‖ = O(dt) for smooth v (the two schemes are first order).</para>
/// <para><b>Adjoint</b> (<see cref="Backpropagate"/>): given λ_N = ∂E/∂ψ_N, the steps are reversed:
/// ∂E/∂p_k = λ_{k+1}ᵀ(I + Du_k(p_k)) (the derivative of the linear interpolant, as in
/// <see cref="Interpolation.InterpolateWithGradient{T}"/>, fused over the d components in one pass),
/// ∂E/∂v_{k,a} = −(dt/h_a)·(∂E/∂p_k)_a, and λ_k = ∂E/∂u_k = splat of λ_{k+1} at p_k
/// (<see cref="InterpolationAdjoint"/>). This is the exact gradient of the discrete map, so Taylor tests
/// of energies built on it show second order.</para>
/// <para>An instance owns every buffer ((N + 1)·d fields for the stored displacements and a few scratch fields):
/// nothing is allocated per call beyond the small closures of the parallel kernels. Not thread-safe.</para>
/// </remarks>
public sealed partial class VelocityFlow<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly VectorField<T> _identity, _points, _vector, _adjoint, _gradient;
    private readonly VectorField<T>[] _displacement;
    private readonly SplatWorkspace _splat;
    private readonly double[] _stepOverSpacing; // dt / h_a
    private readonly int _d, _n;

    /// <summary>Creates a flow of <paramref name="timeSteps"/> steps on <paramref name="geometry"/>.</summary>
    /// <exception cref="InvalidParameterException"><paramref name="timeSteps"/> is below 1.</exception>
    public VelocityFlow(ImageGeometry geometry, int timeSteps)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (timeSteps < 1) throw new InvalidParameterException("--time-steps", $"must be at least 1, got {timeSteps}.");
        Geometry = geometry;
        TimeSteps = timeSteps;
        _d = geometry.Dimension;
        _n = geometry.Count;
        _identity = new VectorField<T>(geometry);
        DisplacementFields.IdentityMap(_identity);
        _points = new VectorField<T>(geometry);
        _vector = new VectorField<T>(geometry);
        _adjoint = new VectorField<T>(geometry);
        _gradient = new VectorField<T>(geometry);
        _displacement = new VectorField<T>[timeSteps + 1];
        for (int k = 0; k <= timeSteps; k++) _displacement[k] = new VectorField<T>(geometry);
        _splat = new SplatWorkspace(_n, geometry.Dimension == 2 ? geometry.Ny : geometry.Nz);
        _stepOverSpacing = new double[_d];
        for (int a = 0; a < _d; a++) _stepOverSpacing[a] = 1.0 / timeSteps / geometry.Spacing[a];
    }

    /// <summary>The grid of velocities and maps.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>Number of time steps N.</summary>
    public int TimeSteps { get; }
    /// <summary>dt = 1/N.</summary>
    public double TimeStep => 1.0 / TimeSteps;
    /// <summary>Length of the velocity span: N·d·Count.</summary>
    public int VelocityLength => TimeSteps * _d * _n;

    /// <summary>
    /// Integrates the inverse maps ψ_1 … ψ_N of <paramref name="velocities"/> and keeps them for
    /// <see cref="InverseMap"/>, <see cref="Transport"/> and <see cref="Backpropagate"/>.
    /// </summary>
    public void Integrate(ReadOnlySpan<T> velocities)
    {
        RequireVelocities(velocities.Length);
        _displacement[0].Span.Clear();
        for (int k = 0; k < TimeSteps; k++)
        {
            DeparturePoints(velocities, k);
            Interpolation.Interpolate(_displacement[k], _points, _vector, BoundaryMode.Border);
            Span<T> next = _displacement[k + 1].Span;
            TensorPrimitives.Add(_points.Span, _vector.Span, next);
            TensorPrimitives.Subtract(next, _identity.Span, next);
        }
    }

    /// <summary>Writes ψ_k (continuous voxel indices) of the last <see cref="Integrate"/> into <paramref name="map"/>.</summary>
    public void InverseMap(int k, VectorField<T> map)
    {
        RequireStep(k);
        RequireField(map, "inverse map");
        TensorPrimitives.Add(_displacement[k].Span, _identity.Span, map.Span);
    }

    /// <summary>The displacement u_k = ψ_k − Id (index units) of the last <see cref="Integrate"/>; read-only view.</summary>
    public ReadOnlySpan<T> InverseDisplacement(int k)
    {
        RequireStep(k);
        return _displacement[k].Span;
    }

    /// <summary>
    /// Transported image <paramref name="result"/> = <paramref name="image"/> ∘ ψ_k of the last
    /// <see cref="Integrate"/>, linear interpolation with <paramref name="mode"/> (Border by default: intensities
    /// at the edge extend outwards).
    /// </summary>
    public void Transport(ScalarField<T> image, int k, ScalarField<T> result, BoundaryMode mode = BoundaryMode.Border)
    {
        image.Geometry.RequireSameGrid(Geometry, "the transported image and the flow");
        InverseMap(k, _points);
        Interpolation.Interpolate(image, _points, result, mode);
    }

    /// <summary>
    /// Integrates the forward map φ_N (source point ↦ target point, continuous indices) of
    /// <paramref name="velocities"/> into <paramref name="map"/> by Euler steps along the trajectories.
    /// </summary>
    public void ForwardMap(ReadOnlySpan<T> velocities, VectorField<T> map)
    {
        RequireVelocities(velocities.Length);
        RequireField(map, "forward map");
        _identity.Span.CopyTo(map.Span);
        int block = _d * _n;
        for (int k = 0; k < TimeSteps; k++)
        {
            velocities.Slice(k * block, block).CopyTo(_gradient.Span);
            Interpolation.Interpolate(_gradient, map, _vector, BoundaryMode.Border);
            for (int a = 0; a < _d; a++)
                TensorPrimitives.MultiplyAdd(_vector.Component(a), T.CreateTruncating(_stepOverSpacing[a]), map.Component(a), map.Component(a));
        }
    }

    /// <summary>
    /// Exact discrete adjoint of v ↦ ψ_N: from <paramref name="finalAdjoint"/> = ∂E/∂ψ_N (per voxel, per index
    /// unit; it is used as working storage and overwritten) writes the Euclidean gradient ∂E/∂v into
    /// <paramref name="velocityGradient"/> (same layout as the velocities, per mm). <see cref="Integrate"/>
    /// must have been called with the same <paramref name="velocities"/>.
    /// </summary>
    public void Backpropagate(ReadOnlySpan<T> velocities, VectorField<T> finalAdjoint, Span<T> velocityGradient)
    {
        RequireVelocities(velocities.Length);
        RequireVelocities(velocityGradient.Length);
        RequireField(finalAdjoint, "final adjoint");
        VectorField<T> lambda = finalAdjoint, spare = _adjoint;
        for (int k = TimeSteps - 1; k >= 0; k--)
        {
            DeparturePoints(velocities, k);
            // e = ∂E/∂p_k = λ_{k+1} + Du_k(p_k)ᵀ λ_{k+1}; u_0 = 0 contributes nothing.
            if (k > 0) TransposedJacobianProduct(_displacement[k], _points, lambda, _gradient);
            VectorField<T> e = k > 0 ? _gradient : lambda;
            for (int b = 0; b < _d; b++)
                TensorPrimitives.Multiply(e.Component(b), T.CreateTruncating(-_stepOverSpacing[b]), velocityGradient.Slice((k * _d + b) * _n, _n));
            if (k > 0)
            {
                InterpolationAdjoint.InterpolateAdjoint(lambda, _points, spare, BoundaryMode.Border, _splat);
                (lambda, spare) = (spare, lambda);
            }
        }
    }

    /// <summary>p_k = Id − dt·v_k/h into <see cref="_points"/>.</summary>
    private void DeparturePoints(ReadOnlySpan<T> velocities, int k)
    {
        for (int a = 0; a < _d; a++)
            TensorPrimitives.MultiplyAdd(velocities.Slice((k * _d + a) * _n, _n), T.CreateTruncating(-_stepOverSpacing[a]),
                _identity.Component(a), _points.Component(a));
    }

    private void RequireVelocities(int length)
    {
        if (length != VelocityLength)
            throw new GridMismatchException($"velocities have {length} values; {TimeSteps} steps of {_d} components on {Geometry} need {VelocityLength}.");
    }

    private void RequireStep(int k)
    {
        if ((uint)k > (uint)TimeSteps) throw new InvalidParameterException("k", $"time index must be between 0 and {TimeSteps}, got {k}.");
    }

    private void RequireField(VectorField<T> f, string what)
    {
        if (f.Components != _d) throw new GridMismatchException($"the {what} has {f.Components} components; the flow needs {_d}.");
        f.Geometry.RequireSameGrid(Geometry, $"the {what} and the flow");
    }
}
