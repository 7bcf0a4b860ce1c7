using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// The steps of the exact discrete adjoint that every scalar-momentum scheme shares: the hand-written transpose of
/// the map update, of v = −c·K m, of m = p∇I and of p_k = det(Dψ_k)·(p_0∘ψ_k). Interpolation → splat
/// (<see cref="InterpolationAdjoint"/>) and point derivatives; K → K (symmetric); ∇ → ∇ᵀ
/// (<see cref="FiniteDifferences.GradientAdjoint{T}"/>); det(Dψ) → Σ_b D_bᵀ(cof·Ĵ).
/// </summary>
public abstract partial class ScalarMomentumFlow<T>
{
    /// <summary>
    /// Checks the arguments of <see cref="Adjoint"/>, clears the p_0 adjoint and seeds the map adjoint of the last step
    /// from I_1 ∋ I_0∘ψ_N: ψ̂_N = Î_1·∇I_0(ψ_N) (derivative per index unit) into <c>_psiHatA</c>.
    /// Returns regularityWeight·h^d, the weight of the t = 0 regularity term.
    /// </summary>
    private protected T BeginAdjoint(ScalarField<T> finalImageAdjoint, double regularityWeight, Span<T> gradient)
    {
        RequireShot();
        ArgumentNullException.ThrowIfNull(finalImageAdjoint);
        FieldRequirements.SameGrid(Geometry, finalImageAdjoint.Geometry, "the final-image adjoint and the shooting grid");
        if (gradient.Length != _n) throw new InvalidParameterException("gradient", $"has {gradient.Length} values but the grid {Geometry} has {_n} voxels.");
        _p0Adjoint.Span.Clear();
        T weight = T.CreateTruncating(regularityWeight * Metric.VoxelVolume);
        Interpolation.InterpolateWithGradient(Source, _psi[_steps], _image, _imageGrad, BoundaryMode.Border);
        for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(finalImageAdjoint.Span, _imageGrad.Component(a), _psiHatA.Component(a));
        return weight;
    }

    /// <summary>
    /// Adjoint of ψ_{k+1} = Interp(ψ_k, y), y = x − dt·v_k/h: the point adjoint ŷ into <c>_work</c> (y left in
    /// <c>_points</c>) and, for k &gt; 0, ψ̂_k = splat of <paramref name="psiHat"/> into <paramref name="next"/>.
    /// </summary>
    private protected void MapStepAdjoint(int k, VectorField<T> psiHat, VectorField<T> next)
    {
        DeparturePoints(_velocity[k], _points);
        MapPointAdjoint(_psi[k], _points, psiHat, _work);
        if (k > 0) InterpolationAdjoint.InterpolateAdjoint(psiHat, _points, next, BoundaryMode.Border, _splat);
    }

    /// <summary>
    /// v̂ = −(dt/h)·ŷ and v = −c·K m give m̂ = c·K((dt/h)·ŷ), in place in <c>_work</c>, with c =
    /// <paramref name="deformation"/>; step 0 also carries the regularity, ∂/∂m_0 (weight·½⟨m_0, c·K m_0⟩) = −weight·v_0.
    /// </summary>
    private protected void MomentumAdjoint(int k, T deformation, T regularityWeight)
    {
        for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(_work.Component(a), _stepScale[a] * deformation, _work.Component(a));
        Metric.ApplyK(_work, _work);
        if (k == 0 && regularityWeight != T.Zero)
            for (int a = 0; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(_velocity[0].Component(a), -regularityWeight, _work.Component(a), _work.Component(a));
    }

    /// <summary>
    /// m = p∇I ⇒ p̂ = Σ_a m̂_a ∂_aI into <c>_pHat</c>, added to what is there when <paramref name="accumulate"/>.
    /// </summary>
    private protected void MomentumToDensityAdjoint(VectorField<T> grad, bool accumulate)
    {
        int first = 0;
        if (!accumulate)
        {
            TensorPrimitives.Multiply<T>(_work.Component(0), grad.Component(0), _pHat.Span);
            first = 1;
        }
        for (int a = first; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(_work.Component(a), grad.Component(a), _pHat.Span, _pHat.Span);
    }

    /// <summary>
    /// For k &gt; 0, after <see cref="State"/> with gradients: (∇I)^ = m̂·p ⇒ Î_k = ∇ᵀ(m̂ p) into <c>_imageHat</c>;
    /// p_k = J·Q with Q = p_0∘ψ_k, J = det(Dψ_k) ⇒ p̂_0 += splat(Q̂) and ψ̂_k (in <paramref name="next"/>) +=
    /// Î_k·∇I_0(ψ_k) + Q̂·∇p_0(ψ_k) + the determinant adjoint.
    /// </summary>
    private protected void DensityStepAdjoint(int k, ScalarField<T> p, VectorField<T> next)
    {
        for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(_work.Component(a), p.Span, _gradHat.Component(a));
        FiniteDifferences.GradientAdjoint(_gradHat, _imageHat);
        TensorPrimitives.Multiply<T>(_pHat.Span, _det.Span, _qHat.Span);
        TensorPrimitives.Multiply<T>(_pHat.Span, _q.Span, _detHat.Span);
        InterpolationAdjoint.InterpolateAdjoint(_qHat, _psi[k], _p0Adjoint, BoundaryMode.Border, _splat, accumulate: true);
        for (int a = 0; a < _d; a++)
        {
            var dst = next.Component(a);
            TensorPrimitives.MultiplyAdd<T>(_imageHat.Span, _imageGrad.Component(a), dst, dst);
            TensorPrimitives.MultiplyAdd<T>(_qHat.Span, _qGrad.Component(a), dst, dst);
        }
        DeterminantAdjoint(_matrix, _detHat, next);
    }
}
