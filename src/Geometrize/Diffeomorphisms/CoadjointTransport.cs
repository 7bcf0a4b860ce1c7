using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>
/// The pointwise kernels of the coadjoint transport of a vector momentum, m = Ad*_{ψ} m_0 = det(Dψ)·Dψᵀ·(m_0∘ψ),
/// and their exact transposes, for an index-space map ψ on a grid with spacing h.
/// </summary>
/// <remarks>
/// Momentum components are physical (per mm along each grid axis) while ψ and its Jacobian J = ∂ψ_a/∂x_b are in
/// voxel indices. The physical Jacobian is H·J·H⁻¹ (H = diag h), whose determinant is det J and whose transpose is
/// H⁻¹·Jᵀ·H, so m_b = det J · Σ_a (h_a/h_b)·J_ab·s_a with s = m_0∘ψ. The derivative of det J with respect to J_ab is
/// the cofactor C_ab (det is a polynomial in J, so this is exact, not a linearisation).
/// </remarks>
internal static class CoadjointTransport
{
    /// <summary>Spacing ratios r_ab = h_a/h_b, row-major d×d.</summary>
    public static T[] SpacingRatios<T>(ImageGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = g.Dimension;
        var r = new T[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) r[a * d + b] = T.CreateTruncating(g.Spacing[a] / g.Spacing[b]);
        return r;
    }

    /// <summary>
    /// J_ab = D_b ψ_a in index units (the stencils of <see cref="FiniteDifferences"/>: central inside, one-sided at
    /// the border, exact for the identity), into <paramref name="jacobian"/> (d² components, entry (a, b) at a·d + b).
    /// </summary>
    public static void MapJacobian<T>(VectorField<T> map, VectorField<T> jacobian) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = map.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        T[] src = map.Data, dst = jacobian.Data;
        Parallelism.For(ny * nz, (long)nx * d * d * 3, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        FiniteDifferences.DerivativeRow<T>(src.AsSpan(a * n, n), nx, ny, nz, r, b, T.One,
                            dst.AsSpan((a * d + b) * n + r * nx, nx), false);
        });
    }

    /// <summary>
    /// Adds Σ_b D_bᵀ G_ab to component a of <paramref name="result"/> for every a: the transpose of
    /// <see cref="MapJacobian{T}"/> applied to <paramref name="jacobianAdjoint"/>.
    /// </summary>
    public static void MapJacobianAdjoint<T>(VectorField<T> jacobianAdjoint, VectorField<T> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = result.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        T[] src = jacobianAdjoint.Data, dst = result.Data;
        Parallelism.For(ny * nz, (long)nx * d * d * 4, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
                for (int a = 0; a < d; a++)
                {
                    var row = dst.AsSpan(a * n + r * nx, nx);
                    for (int b = 0; b < d; b++)
                        FiniteDifferences.AdjointRow<T>(src.AsSpan((a * d + b) * n, n), nx, ny, nz, r, b, T.One, row);
                }
        });
    }

    /// <summary>m_b = det J · Σ_a r_ab J_ab s_a at every voxel.</summary>
    public static void Transport<T>(VectorField<T> jacobian, VectorField<T> sampled, T[] ratios, VectorField<T> momentum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = momentum.Components, n = momentum.Count, nx = momentum.Geometry.Nx;
        T[] jd = jacobian.Data, sd = sampled.Data, md = momentum.Data;
        Parallelism.For(n / nx, (long)nx * 30, (r0, r1) =>
        {
            Span<T> j = stackalloc T[9];
            for (int i = r0 * nx, end = r1 * nx; i < end; i++)
            {
                for (int e = 0; e < d * d; e++) j[e] = jd[e * n + i];
                T det = d == 2 ? j[0] * j[3] - j[1] * j[2] : Det3(j);
                for (int b = 0; b < d; b++)
                {
                    T t = T.Zero;
                    for (int a = 0; a < d; a++) t += ratios[a * d + b] * j[a * d + b] * sd[a * n + i];
                    md[b * n + i] = det * t;
                }
            }
        });
    }

    /// <summary>
    /// Transpose of <see cref="Transport{T}"/> at every voxel, given w = ∂E/∂m: writes σ_a = ∂E/∂s_a into
    /// <paramref name="sampledAdjoint"/> and overwrites <paramref name="jacobian"/> in place with ∂E/∂J_ab
    /// = det·r_ab·s_a·w_b + (Σ_b w_b t_b)·C_ab, where t_b = Σ_a r_ab J_ab s_a and C is the cofactor matrix.
    /// </summary>
    public static void TransportAdjoint<T>(VectorField<T> jacobian, VectorField<T> sampled, VectorField<T> momentumAdjoint, T[] ratios,
        VectorField<T> sampledAdjoint) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = sampled.Components, n = sampled.Count, nx = sampled.Geometry.Nx;
        T[] jd = jacobian.Data, sd = sampled.Data, wd = momentumAdjoint.Data, od = sampledAdjoint.Data;
        Parallelism.For(n / nx, (long)nx * 80, (r0, r1) =>
        {
            Span<T> j = stackalloc T[9];
            Span<T> c = stackalloc T[9];
            Span<T> s = stackalloc T[3];
            Span<T> w = stackalloc T[3];
            for (int i = r0 * nx, end = r1 * nx; i < end; i++)
            {
                for (int e = 0; e < d * d; e++) j[e] = jd[e * n + i];
                for (int a = 0; a < d; a++) { s[a] = sd[a * n + i]; w[a] = wd[a * n + i]; }
                T det;
                if (d == 2)
                {
                    c[0] = j[3]; c[1] = -j[2]; c[2] = -j[1]; c[3] = j[0];
                    det = j[0] * j[3] - j[1] * j[2];
                }
                else
                {
                    Cofactors3(j, c);
                    det = j[0] * c[0] + j[1] * c[1] + j[2] * c[2];
                }
                T gdet = T.Zero;
                for (int b = 0; b < d; b++)
                {
                    T t = T.Zero;
                    for (int a = 0; a < d; a++) t += ratios[a * d + b] * j[a * d + b] * s[a];
                    gdet += w[b] * t;
                }
                for (int a = 0; a < d; a++)
                {
                    T sigma = T.Zero;
                    for (int b = 0; b < d; b++)
                    {
                        T rw = ratios[a * d + b] * w[b];
                        sigma += rw * j[a * d + b];
                        jd[(a * d + b) * n + i] = det * rw * s[a] + gdet * c[a * d + b];
                    }
                    od[a * n + i] = det * sigma;
                }
            }
        });
    }

    private static T Det3<T>(ReadOnlySpan<T> j) where T : unmanaged, IFloatingPointIeee754<T>
        => j[0] * (j[4] * j[8] - j[5] * j[7]) - j[1] * (j[3] * j[8] - j[5] * j[6]) + j[2] * (j[3] * j[7] - j[4] * j[6]);

    private static void Cofactors3<T>(ReadOnlySpan<T> j, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        c[0] = j[4] * j[8] - j[5] * j[7];
        c[1] = j[5] * j[6] - j[3] * j[8];
        c[2] = j[3] * j[7] - j[4] * j[6];
        c[3] = j[2] * j[7] - j[1] * j[8];
        c[4] = j[0] * j[8] - j[2] * j[6];
        c[5] = j[1] * j[6] - j[0] * j[7];
        c[6] = j[1] * j[5] - j[2] * j[4];
        c[7] = j[2] * j[3] - j[0] * j[5];
        c[8] = j[0] * j[4] - j[1] * j[3];
    }
}
