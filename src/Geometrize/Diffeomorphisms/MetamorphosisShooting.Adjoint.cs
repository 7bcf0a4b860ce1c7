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
    public override void Adjoint(ScalarField<T> finalImageAdjoint, double regularityWeight, Span<T> gradient)
    {
        // I_1 = I_0∘ψ_N + Z_N  ⇒  ψ̂_N = Î_1·∇I_0(ψ_N), Ẑ_N = Î_1.
        T kinetic = BeginAdjoint(finalImageAdjoint, regularityWeight, gradient);
        VectorField<T> psiHat = _psiHatA, next = _psiHatB;
        ScalarField<T> zHat = _zHatA, zNext = _zHatB;
        if (_intensity) finalImageAdjoint.Span.CopyTo(zHat.Span);

        for (int k = _steps - 1; k >= 0; k--)
        {
            var (p, grad) = State(k, withGradients: true);
            MapStepAdjoint(k, psiHat, next);
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
            // m̂ = (1−ρ)K((dt/h)·ŷ); step 0 adds ∂H_0/∂m_0 = (1−ρ)K m_0 = −v_0; then p̂ += Σ_a m̂_a ∂_aI.
            MomentumAdjoint(k, _deformation, kinetic);
            MomentumToDensityAdjoint(grad, accumulate: true);
            if (k == 0)
            {
                // p_0 enters step 0 directly; ∂H_0/∂p_0 also has the intensity part ρ·h^d·p_0.
                TensorPrimitives.Add<T>(_p0Adjoint.Span, _pHat.Span, _p0Adjoint.Span);
                if (kinetic != T.Zero && _intensity)
                    TensorPrimitives.MultiplyAdd<T>(_p0.Span, kinetic * T.CreateTruncating(Rho), _p0Adjoint.Span, _p0Adjoint.Span);
                break;
            }
            // Î_k = ∇ᵀ(m̂ p) also feeds Ẑ_k, as I_k = I_0∘ψ_k + Z_k.
            DensityStepAdjoint(k, p, next);
            if (_intensity) TensorPrimitives.Add<T>(zNext.Span, _imageHat.Span, zNext.Span);
            (psiHat, next) = (next, psiHat);
            (zHat, zNext) = (zNext, zHat);
        }
        _p0Adjoint.Span.CopyTo(gradient);
    }
}
