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
    /// Hand-written transpose of every forward operation, last step first (the steps are those of
    /// <see cref="ScalarMomentumFlow{T}"/>). I_k, P_k and Dψ_k are recomputed from the stored ψ_k (they come out of
    /// the interpolations the adjoint needs anyway). The result is therefore the exact gradient of the discrete
    /// energy, to round-off.
    /// </remarks>
    public override void Adjoint(ScalarField<T> finalImageAdjoint, double kineticWeight, Span<T> gradient)
    {
        T kinetic = BeginAdjoint(finalImageAdjoint, kineticWeight, gradient);
        VectorField<T> psiHat = _psiHatA, next = _psiHatB;
        for (int k = _steps - 1; k >= 0; k--)
        {
            var (p, grad) = State(k, withGradients: true);
            MapStepAdjoint(k, psiHat, next);
            MomentumAdjoint(k, T.One, kinetic);
            MomentumToDensityAdjoint(grad, accumulate: false);
            if (k == 0)
            {
                // P_0 enters step 0 directly (ψ_0 = Id, det = 1); I_0 is data, so its adjoint is not needed.
                TensorPrimitives.Add<T>(_p0Adjoint.Span, _pHat.Span, _p0Adjoint.Span);
                break;
            }
            DensityStepAdjoint(k, p, next);
            (psiHat, next) = (next, psiHat);
        }
        _p0Adjoint.Span.CopyTo(gradient);
    }
}
