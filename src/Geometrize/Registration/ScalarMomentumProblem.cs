using System.Numerics;
using Geometrize.Diffeomorphisms;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// What the registration problems over a scalar initial momentum p_0 (one value per voxel) share: the energy
/// E(p_0) = R(p_0) + D(I_1, fixed) of one shot of a <see cref="ScalarMomentumFlow{T}"/>, its exact Euclidean gradient
/// from the scheme's adjoint, the identity metric and the maps of the shot.
/// </summary>
/// <remarks>
/// Only this assembly derives from it (<see cref="ScalarShootingProblem{T}"/>, <see cref="MetamorphosisProblem{T}"/>).
/// The fixed and moving images must be finite; all buffers live in the constructor, so <see cref="Evaluate"/>
/// allocates nothing proportional to the grid. Not thread-safe.
/// </remarks>
public abstract class ScalarMomentumProblem<T> : IRegistrationProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ScalarField<T> _fixed, _dataGradient;
    private readonly IDataTerm<T> _dataTerm;
    private readonly string _momentumName, _momentumDescription;

    /// <summary>Checks the arguments, then builds the scheme on the fixed image's grid.</summary>
    /// <param name="fixedImage">Target.</param>
    /// <param name="movingImage">I_0, already resampled onto the fixed grid.</param>
    /// <param name="dataTerm">Similarity D(I_1, fixed).</param>
    /// <param name="settings">The settings of the level.</param>
    /// <param name="createFlow">Builds the scheme from the (checked) moving image and settings.</param>
    /// <param name="momentumName">The momentum's name in error messages (<c>P0</c>, <c>p0</c>).</param>
    /// <param name="momentumDescription">What the momentum is, in error messages.</param>
    private protected ScalarMomentumProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings,
        Func<ScalarField<T>, RegistrationSettings, ScalarMomentumFlow<T>> createFlow, string momentumName, string momentumDescription)
    {
        ProblemArguments.Require(fixedImage, movingImage, dataTerm, settings);
        ProblemArguments.RequireFinite(fixedImage, "--fixed");
        ProblemArguments.RequireFinite(movingImage, "--moving");
        _fixed = fixedImage;
        _dataTerm = dataTerm;
        _momentumName = momentumName;
        _momentumDescription = momentumDescription;
        Settings = settings;
        Flow = createFlow(movingImage, settings);
        _dataGradient = new ScalarField<T>(fixedImage.Geometry);
    }

    /// <summary>The scheme (its state is the last evaluated p_0).</summary>
    private protected ScalarMomentumFlow<T> Flow { get; }
    /// <summary>The settings the problem was built with.</summary>
    public RegistrationSettings Settings { get; }
    /// <inheritdoc />
    public abstract string Method { get; }
    /// <inheritdoc />
    public ImageGeometry Geometry => _fixed.Geometry;
    /// <inheritdoc />
    public int ParameterComponents => 1;
    /// <inheritdoc />
    public int Dimension => _fixed.Count;
    /// <inheritdoc />
    public EnergySplit LastEnergy { get; private set; }

    /// <inheritdoc />
    public double Evaluate(ReadOnlySpan<T> x, Span<T> gradient)
    {
        RequireLength(x.Length, _momentumName);
        RequireLength(gradient.Length, "gradient");
        double regularity = Flow.Shoot(x);
        double data = _dataTerm.Evaluate(Flow.FinalImage, _fixed, _dataGradient);
        Flow.Adjoint(_dataGradient, 1, gradient);
        LastEnergy = new EnergySplit(regularity, data);
        return regularity + data;
    }

    /// <summary>Energy only: one forward shot, no adjoint.</summary>
    public double Value(ReadOnlySpan<T> x)
    {
        RequireLength(x.Length, _momentumName);
        double regularity = Flow.Shoot(x);
        double data = _dataTerm.Evaluate(Flow.FinalImage, _fixed, null);
        LastEnergy = new EnergySplit(regularity, data);
        return regularity + data;
    }

    /// <summary>The identity: the gradient is Euclidean in p_0.</summary>
    public void ApplyMetric(ReadOnlySpan<T> a, Span<T> result)
    {
        RequireLength(a.Length, "metric input");
        RequireLength(result.Length, "metric output");
        a.CopyTo(result);
    }

    /// <inheritdoc />
    public abstract void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped);

    /// <inheritdoc />
    public void InverseMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        FieldRequirements.SameGrid(Geometry, map.Geometry, "the inverse map and the problem grid");
        FieldRequirements.Components(map, Geometry.Dimension, "inverse map");
        Flow.Shoot(parameters);
        Flow.FinalInverseMap.Span.CopyTo(map.Span);
    }

    /// <inheritdoc />
    public void ForwardMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        Flow.Shoot(parameters);
        Flow.ForwardMap(map);
    }

    /// <summary>Shoots <paramref name="parameters"/> and copies the scheme's I_1 into <paramref name="image"/> (<paramref name="what"/> names it in errors).</summary>
    private protected void CopyFinalImage(ReadOnlySpan<T> parameters, ScalarField<T> image, string what)
    {
        FieldRequirements.SameGrid(Geometry, image.Geometry, what);
        Flow.Shoot(parameters);
        Flow.FinalImage.Span.CopyTo(image.Span);
    }

    private void RequireLength(int length, string what)
    {
        if (length != Dimension)
            throw new InvalidParameterException(what, $"has {length} values but the {_momentumDescription} on {Geometry} has {Dimension} (one per voxel).");
    }
}
