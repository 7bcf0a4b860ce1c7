using System.Numerics;
using Geometrize.Numerics;
using Geometrize.Optimization;

namespace Geometrize.Registration;

/// <summary>Regularity and data parts of a registration energy.</summary>
/// <param name="Regularity">½‖·‖²_V part (kinetic energy of the path).</param>
/// <param name="Data">Similarity part.</param>
public readonly record struct EnergySplit(double Regularity, double Data)
{
    /// <summary>Total energy.</summary>
    public double Total => Regularity + Data;
}

/// <summary>
/// One registration problem at one resolution: a flow parameterisation (velocities v_t, vector momentum m_0 or
/// scalar momentum P_0), a metric and a data term, on the fixed image's grid, with the moving image already
/// resampled onto that grid. The parameter vector is a field with <see cref="ParameterComponents"/> components
/// on <see cref="ParameterGeometry"/> (component-major, like <see cref="VectorField{T}"/>), which is how the multiscale
/// driver prolongs it to the next level.
/// </summary>
/// <remarks>
/// <see cref="IObjective{T}.Evaluate"/> returns the energy and the gradient as a Riesz representer in the inner
/// product ⟨a, M b⟩ (Euclidean sums over the parameter array), where M is <see cref="ApplyMetric"/>: the
/// Euclidean gradient is M·gradient. Momentum methods use M = h^d·K (the V* metric, in which the regularity
/// term is perfectly conditioned), velocity methods M = dt·h^d·L per time slice (Beg's V-gradient), scalar momentum
/// M = identity.
/// Vector components are in physical units along the grid axes (mm); maps are in continuous voxel indices of
/// the fixed grid.
/// </remarks>
public interface IRegistrationProblem<T> : IObjective<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Method name (<c>lddmm</c>, <c>shooting</c>, <c>shooting-scalar</c>).</summary>
    string Method { get; }
    /// <summary>The grid of this level (the fixed image's, shrunk).</summary>
    ImageGeometry Geometry { get; }
    /// <summary>
    /// The grid of the parameter field: <see cref="Geometry"/> unless the problem runs its flow on a coarser grid
    /// (<see cref="RegistrationSettings.FlowShrink"/>). Prolongation between levels and the saved momentum use it.
    /// </summary>
    ImageGeometry ParameterGeometry => Geometry;
    /// <summary>Components of the parameter field (d for m_0, 1 for P_0, N·d for v_t).</summary>
    int ParameterComponents { get; }
    /// <summary>Energy split at the last <see cref="IObjective{T}.Evaluate"/> call.</summary>
    EnergySplit LastEnergy { get; }

    /// <summary>Writes M·<paramref name="a"/> (the metric of the gradient) into <paramref name="result"/>.</summary>
    void ApplyMetric(ReadOnlySpan<T> a, Span<T> result);

    /// <summary>The moving image warped into the fixed grid by the current flow: I_moving ∘ φ_1⁻¹.</summary>
    void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped);

    /// <summary>φ_1⁻¹ as continuous voxel indices (fixed point x ↦ moving point), d components on <see cref="Geometry"/>.</summary>
    void InverseMap(ReadOnlySpan<T> parameters, VectorField<T> map);

    /// <summary>φ_1 as continuous voxel indices (moving point ↦ fixed point), d components on <see cref="Geometry"/>.</summary>
    void ForwardMap(ReadOnlySpan<T> parameters, VectorField<T> map);
}
