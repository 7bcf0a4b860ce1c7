using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

/// <summary>Per-voxel kernels of the scalar-momentum schemes that the shared numerics do not provide.</summary>
public abstract partial class ScalarMomentumFlow<T>
{
    /// <summary>
    /// Dψ (index units, component a·d + b = D_b ψ_a, the stencils of <see cref="FiniteDifferences"/>) and its
    /// determinant, the Jacobian that turns P_0∘ψ into the transported density.
    /// </summary>
    internal static void MapMatrixAndDeterminant(VectorField<T> map, VectorField<T> matrix, ScalarField<T> determinant)
    {
        var g = map.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        T[] src = map.Data, m = matrix.Data, det = determinant.Data;
        Parallelism.For(ny * nz, (long)nx * d * d * 4, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        FiniteDifferences.DerivativeRow<T>(src.AsSpan(a * n, n), nx, ny, nz, r, b, T.One, m.AsSpan((a * d + b) * n + r * nx, nx), false);
                for (int i = r * nx, end = i + nx; i < end; i++)
                {
                    if (d == 2) det[i] = m[i] * m[3 * n + i] - m[n + i] * m[2 * n + i];
                    else
                    {
                        T m00 = m[i], m01 = m[n + i], m02 = m[2 * n + i], m10 = m[3 * n + i], m11 = m[4 * n + i], m12 = m[5 * n + i];
                        T m20 = m[6 * n + i], m21 = m[7 * n + i], m22 = m[8 * n + i];
                        det[i] = m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Adjoint of ψ ↦ det(Dψ): adds Σ_b D_bᵀ(Ĵ·cof(Dψ)_{ab}) to component a of <paramref name="mapAdjoint"/>.
    /// <paramref name="matrix"/> holds Dψ on entry (from <see cref="MapMatrixAndDeterminant"/>) and is overwritten
    /// with Ĵ·cof(Dψ).
    /// </summary>
    internal static void DeterminantAdjoint(VectorField<T> matrix, ScalarField<T> detAdjoint, VectorField<T> mapAdjoint)
    {
        var g = detAdjoint.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        T[] m = matrix.Data, jh = detAdjoint.Data, dst = mapAdjoint.Data;
        // ∂det/∂M_ab = cof_ab; each voxel's entries are read before any is overwritten.
        Parallelism.For(ny * nz, (long)nx * d * d * 3, (r0, r1) =>
        {
            for (int i = r0 * nx, end = r1 * nx; i < end; i++)
            {
                T s = jh[i];
                if (d == 2)
                {
                    T m00 = m[i], m01 = m[n + i], m10 = m[2 * n + i], m11 = m[3 * n + i];
                    m[i] = s * m11; m[n + i] = -s * m10; m[2 * n + i] = -s * m01; m[3 * n + i] = s * m00;
                }
                else
                {
                    T m00 = m[i], m01 = m[n + i], m02 = m[2 * n + i], m10 = m[3 * n + i], m11 = m[4 * n + i], m12 = m[5 * n + i];
                    T m20 = m[6 * n + i], m21 = m[7 * n + i], m22 = m[8 * n + i];
                    m[i] = s * (m11 * m22 - m12 * m21);
                    m[n + i] = s * (m12 * m20 - m10 * m22);
                    m[2 * n + i] = s * (m10 * m21 - m11 * m20);
                    m[3 * n + i] = s * (m02 * m21 - m01 * m22);
                    m[4 * n + i] = s * (m00 * m22 - m02 * m20);
                    m[5 * n + i] = s * (m01 * m20 - m00 * m21);
                    m[6 * n + i] = s * (m01 * m12 - m02 * m11);
                    m[7 * n + i] = s * (m02 * m10 - m00 * m12);
                    m[8 * n + i] = s * (m00 * m11 - m01 * m10);
                }
            }
        });
        // Each output row only receives contributions written to that row, so rows run in parallel.
        Parallelism.For(ny * nz, (long)nx * d * d * 4, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
                for (int a = 0; a < d; a++)
                {
                    var row = dst.AsSpan(a * n + r * nx, nx);
                    for (int b = 0; b < d; b++)
                        FiniteDifferences.AdjointRow<T>(m.AsSpan((a * d + b) * n, n), nx, ny, nz, r, b, T.One, row);
                }
        });
    }

    /// <summary>
    /// Adjoint of ψ_{k+1} = Interp(ψ_k, y) with respect to the points y (Border mode):
    /// ŷ_a(x) = Σ_c ψ̂_c(x)·∂ψ_k,c/∂y_a(y(x)). The weights are constant per point, so the d components of ψ_k are
    /// first contracted at the cell corners and differentiated once.
    /// </summary>
    internal static void MapPointAdjoint(VectorField<T> map, VectorField<T> points, VectorField<T> weights, VectorField<T> result)
    {
        var g = map.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz);
        T[] f = map.Data, p = points.Data, w = weights.Data, r = result.Data;
        const BoundaryMode mode = BoundaryMode.Border;
        Parallelism.For(ny * nz, (long)nx * (30 + 12 * d * d), (r0, r1) =>
        {
            for (int i = r0 * nx, end = r1 * nx; i < end; i++)
            {
                var sx = AxisStencil<T>.Locate(p[i], nx, nxT, mode);
                var sy = AxisStencil<T>.Locate(p[n + i], ny, nyT, mode);
                if (d == 2)
                {
                    int o00 = sy.I0 * nx + sx.I0, o01 = sy.I0 * nx + sx.I1, o10 = sy.I1 * nx + sx.I0, o11 = sy.I1 * nx + sx.I1;
                    T w0 = w[i], w1 = w[n + i];
                    T a00 = w0 * f[o00] + w1 * f[n + o00], a01 = w0 * f[o01] + w1 * f[n + o01];
                    T a10 = w0 * f[o10] + w1 * f[n + o10], a11 = w0 * f[o11] + w1 * f[n + o11];
                    T lo = sx.W0 * a00 + sx.W1 * a01, hi = sx.W0 * a10 + sx.W1 * a11;
                    r[i] = sy.W0 * (sx.M1 * a01 - sx.M0 * a00) + sy.W1 * (sx.M1 * a11 - sx.M0 * a10);
                    r[n + i] = sy.M1 * hi - sy.M0 * lo;
                }
                else
                {
                    var sz = AxisStencil<T>.Locate(p[2 * n + i], nz, nzT, mode);
                    int p0 = sz.I0 * ny, p1 = sz.I1 * ny;
                    int o00 = (p0 + sy.I0) * nx, o01 = (p0 + sy.I1) * nx, o10 = (p1 + sy.I0) * nx, o11 = (p1 + sy.I1) * nx;
                    T w0 = w[i], w1 = w[n + i], w2 = w[2 * n + i];
                    T a000 = Contract(f, n, o00 + sx.I0, w0, w1, w2), a001 = Contract(f, n, o00 + sx.I1, w0, w1, w2);
                    T a010 = Contract(f, n, o01 + sx.I0, w0, w1, w2), a011 = Contract(f, n, o01 + sx.I1, w0, w1, w2);
                    T a100 = Contract(f, n, o10 + sx.I0, w0, w1, w2), a101 = Contract(f, n, o10 + sx.I1, w0, w1, w2);
                    T a110 = Contract(f, n, o11 + sx.I0, w0, w1, w2), a111 = Contract(f, n, o11 + sx.I1, w0, w1, w2);
                    T x00 = sx.W0 * a000 + sx.W1 * a001, x01 = sx.W0 * a010 + sx.W1 * a011;
                    T x10 = sx.W0 * a100 + sx.W1 * a101, x11 = sx.W0 * a110 + sx.W1 * a111;
                    T dx00 = sx.M1 * a001 - sx.M0 * a000, dx01 = sx.M1 * a011 - sx.M0 * a010;
                    T dx10 = sx.M1 * a101 - sx.M0 * a100, dx11 = sx.M1 * a111 - sx.M0 * a110;
                    T y0 = sy.W0 * x00 + sy.W1 * x01, y1 = sy.W0 * x10 + sy.W1 * x11;
                    r[i] = sz.W0 * (sy.W0 * dx00 + sy.W1 * dx01) + sz.W1 * (sy.W0 * dx10 + sy.W1 * dx11);
                    r[n + i] = sz.W0 * (sy.M1 * x01 - sy.M0 * x00) + sz.W1 * (sy.M1 * x11 - sy.M0 * x10);
                    r[2 * n + i] = sz.M1 * y1 - sz.M0 * y0;
                }
            }
        });
    }

    private static T Contract(T[] f, int n, int o, T w0, T w1, T w2) => w0 * f[o] + w1 * f[n + o] + w2 * f[2 * n + o];
}
