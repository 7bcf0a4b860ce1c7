using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>The exact discrete adjoint (backward pass) of <see cref="MetamorphosisShooting{T}.Shoot"/>.</summary>
public sealed partial class MetamorphosisShooting<T>
{
    /// <summary>
    /// Gradient with respect to p_0 (Euclidean: one value per voxel) of <c>regularityWeight·H_0 + Σ_x Î_1(x)·I_1(x)</c>,
    /// where <paramref name="finalImageAdjoint"/> = Î_1 is ∂D/∂I_1 of a data term (voxel volume included), at the p_0
    /// of the last <see cref="Shoot"/>.
    /// </summary>
    /// <remarks>
    /// The transpose of every forward operation, last step first, with adjoint states ψ̂_k (of the map) and Ẑ_k (of the
    /// intensity change). Per step: ψ_{k+1} = ψ_k(y) and Z_{k+1} = W(y), W = Z_k + dt·ρ·p_k, give the point adjoint
    /// ŷ = Σ_c ψ̂_c∂ψ_k,c/∂y + Ẑ∂W/∂y and the splats ψ̂_k = Sᵀψ̂_{k+1}, Ŵ = SᵀẐ_{k+1}; then Ẑ_k = Ŵ and
    /// p̂_k = dt·ρ·Ŵ; y = x − dt·v/h and v = −(1−ρ)Km give m̂ = (1−ρ)K(dt·ŷ/h); m = p∇I gives p̂_k += m̂·∇I and
    /// Î_k = ∇ᵀ(p m̂), which feeds both Ẑ_k and ψ̂_k (through I_0∘ψ_k); p_k = det(Dψ_k)·p_0∘ψ_k feeds p̂_0 by a splat and
    /// ψ̂_k through ∇p_0 and the cofactors. States are recomputed from the stored ψ_k and Z_k.
    /// </remarks>
    public void Adjoint(ScalarField<T> finalImageAdjoint, double regularityWeight, Span<T> gradient)
    {
        RequireShot();
        ArgumentNullException.ThrowIfNull(finalImageAdjoint);
        FieldRequirements.SameGrid(Geometry, finalImageAdjoint.Geometry, "the final-image adjoint and the shooting grid");
        if (gradient.Length != _n) throw new InvalidParameterException("gradient", $"has {gradient.Length} values but the grid {Geometry} has {_n} voxels.");
        var p0Hat = _p0Adjoint;
        p0Hat.Span.Clear();
        double volume = Metric.VoxelVolume;
        T kinetic = T.CreateTruncating(regularityWeight * volume);

        // I_1 = I_0∘ψ_N + Z_N  ⇒  ψ̂_N = Î_1·∇I_0(ψ_N), Ẑ_N = Î_1.
        Interpolation.InterpolateWithGradient(Source, _psi[_steps], _image, _imageGrad, BoundaryMode.Border);
        VectorField<T> psiHat = _psiHatA, next = _psiHatB;
        ScalarField<T> zHat = _zHatA, zNext = _zHatB;
        for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(finalImageAdjoint.Span, _imageGrad.Component(a), psiHat.Component(a));
        if (_intensity) finalImageAdjoint.Span.CopyTo(zHat.Span);

        for (int k = _steps - 1; k >= 0; k--)
        {
            var (p, grad) = State(k, withGradients: true);
            var v = _velocity[k];
            DeparturePoints(v, _points);
            ScalarMomentumShooting<T>.MapPointAdjoint(_psi[k], _points, psiHat, _work);
            if (k > 0) InterpolationAdjoint.InterpolateAdjoint(psiHat, _points, next, BoundaryMode.Border, _splat);
            if (_intensity)
            {
                // Z_{k+1} = W(y): ŷ += Ẑ_{k+1}·∇W(y), Ŵ = splat(Ẑ_{k+1}); Ẑ_k = Ŵ, p̂_k = dt·ρ·Ŵ.
                TensorPrimitives.MultiplyAdd<T>(p.Span, _change, _z[k].Span, _w.Span);
                Interpolation.InterpolateWithGradient(_w, _points, _wValue, _wGrad, BoundaryMode.Border);
                for (int a = 0; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(zHat.Span, _wGrad.Component(a), _work.Component(a), _work.Component(a));
                InterpolationAdjoint.InterpolateAdjoint(zHat, _points, zNext, BoundaryMode.Border, _splat);
                TensorPrimitives.Multiply<T>(zNext.Span, _change, _pHat.Span);
            }
            else _pHat.Span.Clear();
            // v̂ = −(dt/h)·ŷ and v = −(1−ρ)K m  ⇒  m̂ = (1−ρ)K((dt/h)·ŷ); step 0 adds ∂H_0/∂m_0 = (1−ρ)K m_0 = −v_0.
            for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(_work.Component(a), _stepScale[a] * _deformation, _work.Component(a));
            Metric.ApplyK(_work, _work);
            if (k == 0 && kinetic != T.Zero)
                for (int a = 0; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(v.Component(a), -kinetic, _work.Component(a), _work.Component(a));
            // m = p∇I  ⇒  p̂ += Σ_a m̂_a ∂_aI.
            for (int a = 0; a < _d; a++) TensorPrimitives.MultiplyAdd<T>(_work.Component(a), grad.Component(a), _pHat.Span, _pHat.Span);
            if (k == 0)
            {
                // p_0 enters step 0 directly; ∂H_0/∂p_0 also has the intensity part ρ·h^d·p_0.
                TensorPrimitives.Add<T>(p0Hat.Span, _pHat.Span, p0Hat.Span);
                if (kinetic != T.Zero && _intensity)
                    TensorPrimitives.MultiplyAdd<T>(_p0.Span, kinetic * T.CreateTruncating(Rho), p0Hat.Span, p0Hat.Span);
                break;
            }
            // (∇I)^ = m̂·p  ⇒  Î_k = ∇ᵀ(m̂ p); I_k = I_0∘ψ_k + Z_k.
            for (int a = 0; a < _d; a++) TensorPrimitives.Multiply<T>(_work.Component(a), p.Span, _gradHat.Component(a));
            FiniteDifferences.GradientAdjoint(_gradHat, _imageHat);
            if (_intensity) TensorPrimitives.Add<T>(zNext.Span, _imageHat.Span, zNext.Span);
            // p_k = J·Q, Q = p_0∘ψ_k, J = det(Dψ_k).
            TensorPrimitives.Multiply<T>(_pHat.Span, _det.Span, _qHat.Span);
            TensorPrimitives.Multiply<T>(_pHat.Span, _q.Span, _detHat.Span);
            InterpolationAdjoint.InterpolateAdjoint(_qHat, _psi[k], p0Hat, BoundaryMode.Border, _splat, accumulate: true);
            for (int a = 0; a < _d; a++)
            {
                var dst = next.Component(a);
                TensorPrimitives.MultiplyAdd<T>(_imageHat.Span, _imageGrad.Component(a), dst, dst);
                TensorPrimitives.MultiplyAdd<T>(_qHat.Span, _qGrad.Component(a), dst, dst);
            }
            ScalarMomentumShooting<T>.DeterminantAdjoint(_matrix, _detHat, next);
            (psiHat, next) = (next, psiHat);
            (zHat, zNext) = (zNext, zHat);
        }
        p0Hat.Span.CopyTo(gradient);
    }
}
