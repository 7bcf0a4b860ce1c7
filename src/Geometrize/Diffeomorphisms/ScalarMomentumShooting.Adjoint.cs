using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>The exact discrete adjoint (backward pass) of <see cref="ScalarMomentumShooting{T}.Shoot"/>.</summary>
public sealed partial class ScalarMomentumShooting<T>
{
    /// <summary>
    /// Gradient with respect to P_0 (Euclidean: one value per voxel) of
    /// <c>kineticWeight·½⟨m_0, K m_0⟩ + Σ_x Î_1(x)·I_1(x)</c>, where <paramref name="finalImageAdjoint"/> = Î_1 is
    /// ∂D/∂I_1 of a data term (voxel volume included), at the P_0 of the last <see cref="Shoot"/>.
    /// </summary>
    /// <remarks>
    /// Hand-written transpose of every forward operation, last step first: interpolation → splat
    /// (<see cref="InterpolationAdjoint"/>) and point derivatives; K → K (symmetric); ∇ → ∇ᵀ
    /// (<see cref="FiniteDifferences.GradientAdjoint{T}"/>); det(Dψ) → Σ_b D_bᵀ(cof·Ĵ). I_k, P_k and Dψ_k are
    /// recomputed from the stored ψ_k (they come out of the interpolations the adjoint needs anyway).
    /// The result is therefore the exact gradient of the discrete energy, to round-off.
    /// </remarks>
    public void Adjoint(ScalarField<T> finalImageAdjoint, double kineticWeight, Span<T> gradient)
    {
        RequireShot();
        ArgumentNullException.ThrowIfNull(finalImageAdjoint);
        FieldRequirements.SameGrid(Geometry, finalImageAdjoint.Geometry, "the final-image adjoint and the shooting grid");
        if (gradient.Length != _n) throw new InvalidParameterException("gradient", $"has {gradient.Length} values but the grid {Geometry} has {_n} voxels.");
        var p0Hat = _p0Adjoint;
        p0Hat.Span.Clear();
        T kinetic = T.CreateTruncating(kineticWeight * Metric.VoxelVolume);

        // I_1 = I_0∘ψ_N  ⇒  ψ̂_N = Î_1·∇I_0(ψ_N) (derivative per index unit).
        Interpolation.InterpolateWithGradient(Source, _psi[_steps], _image, _imageGrad, BoundaryMode.Border);
        VectorField<T> psiHat = _psiHatA, next = _psiHatB;
        for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(finalImageAdjoint.Span, _imageGrad.Component(a), psiHat.Component(a));

        for (int k = _steps - 1; k >= 0; k--)
        {
            var v = _velocity[k];
            // ψ_{k+1} = Interp(ψ_k, y), y = x − dt·v_k/h.
            DeparturePoints(v, _points);
            MapPointAdjoint(_psi[k], _points, psiHat, _work);
            if (k > 0) InterpolationAdjoint.InterpolateAdjoint(psiHat, _points, next, BoundaryMode.Border, _splat);
            // v̂ = −(dt/h)·ŷ and v = −K m  ⇒  m̂ = K((dt/h)·ŷ); step 0 also carries the kinetic term, ∂/∂m_0 = w·K m_0 = −w·v_0.
            for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(_work.Component(a), _stepScale[a], _work.Component(a));
            Metric.ApplyK(_work, _work);
            if (k == 0 && kinetic != T.Zero)
                for (int a = 0; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(v.Component(a), -kinetic, _work.Component(a), _work.Component(a));

            ScalarField<T> p;
            VectorField<T> grad;
            if (k == 0)
            {
                p = _p0;
                grad = _sourceGradient;
            }
            else
            {
                Interpolation.InterpolateWithGradient(Source, _psi[k], _image, _imageGrad, BoundaryMode.Border);
                Interpolation.InterpolateWithGradient(_p0, _psi[k], _q, _qGrad, BoundaryMode.Border);
                MapMatrixAndDeterminant(_psi[k], _matrix, _det);
                TensorPrimitives.Multiply<T>(_det.Data, _q.Data, _p.Data);
                FiniteDifferences.Gradient(_image, _grad);
                p = _p;
                grad = _grad;
            }
            // m = P∇I  ⇒  P̂ = Σ_a m̂_a ∂_aI,  (∇I)^ = m̂·P.
            TensorPrimitives.Multiply<T>(_work.Component(0), grad.Component(0), _pHat.Span);
            for (int a = 1; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(_work.Component(a), grad.Component(a), _pHat.Span, _pHat.Span);
            if (k == 0)
            {
                // P_0 enters step 0 directly (ψ_0 = Id, det = 1); I_0 is data, so its adjoint is not needed.
                TensorPrimitives.Add<T>(p0Hat.Span, _pHat.Span, p0Hat.Span);
                break;
            }
            for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(_work.Component(a), p.Span, _gradHat.Component(a));
            FiniteDifferences.GradientAdjoint(_gradHat, _imageHat);
            // P_k = J·Q with Q = P_0∘ψ_k, J = det(Dψ_k).
            TensorPrimitives.Multiply<T>(_pHat.Span, _det.Span, _qHat.Span);
            TensorPrimitives.Multiply<T>(_pHat.Span, _q.Span, _detHat.Span);
            InterpolationAdjoint.InterpolateAdjoint(_qHat, _psi[k], p0Hat, BoundaryMode.Border, _splat, accumulate: true);
            // ψ̂_k += Î_k·∇I_0(ψ_k) + Q̂·∇P_0(ψ_k) + det adjoint.
            for (int a = 0; a < _d; a++)
            {
                var dst = next.Component(a);
                TensorPrimitives.MultiplyAdd<T>(_imageHat.Span, _imageGrad.Component(a), dst, dst);
                TensorPrimitives.MultiplyAdd<T>(_qHat.Span, _qGrad.Component(a), dst, dst);
            }
            DeterminantAdjoint(_matrix, _detHat, next);
            (psiHat, next) = (next, psiHat);
        }
        p0Hat.Span.CopyTo(gradient);
    }
}
