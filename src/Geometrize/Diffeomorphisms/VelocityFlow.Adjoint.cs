using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

public sealed partial class VelocityFlow<T>
{
    /// <summary>
    /// e = λ + Du(p)ᵀλ at every voxel in one pass: the cell of p is located once and the derivative of the linear
    /// interpolant of each displacement component u_a (Border, upper cell on a face — the same formulas as
    /// <see cref="Interpolation.InterpolateWithGradient{T}"/>) is contracted with λ_a. Equivalent to d calls of
    /// InterpolateWithGradient plus d² multiply-adds, without the intermediate fields.
    /// </summary>
    private static void TransposedJacobianProduct(VectorField<T> u, VectorField<T> points, VectorField<T> lambda, VectorField<T> e)
    {
        var g = u.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        T nxT = T.CreateTruncating(nx), nyT = T.CreateTruncating(ny), nzT = T.CreateTruncating(nz);
        T[] f = u.Data, p = points.Data, l = lambda.Data, r = e.Data;
        Parallelism.For(n / nx, (long)nx * 30 * d * d, (r0, r1) =>
        {
            ref T f0 = ref MemoryMarshal.GetArrayDataReference(f);
            for (int i = r0 * nx, end = r1 * nx; i < end; i++)
            {
                var sx = AxisStencil<T>.Locate(p[i], nx, nxT, BoundaryMode.Border);
                var sy = AxisStencil<T>.Locate(p[n + i], ny, nyT, BoundaryMode.Border);
                if (d == 2)
                {
                    int o0 = sy.I0 * nx, o1 = sy.I1 * nx;
                    T ex = l[i], ey = l[n + i];
                    for (int a = 0; a < 2; a++)
                    {
                        ref T fa = ref Unsafe.Add(ref f0, a * n);
                        T a00 = Unsafe.Add(ref fa, o0 + sx.I0), a01 = Unsafe.Add(ref fa, o0 + sx.I1);
                        T a10 = Unsafe.Add(ref fa, o1 + sx.I0), a11 = Unsafe.Add(ref fa, o1 + sx.I1);
                        T lo = sx.W0 * a00 + sx.W1 * a01, hi = sx.W0 * a10 + sx.W1 * a11;
                        T la = l[a * n + i];
                        ex += la * (sy.W0 * (sx.M1 * a01 - sx.M0 * a00) + sy.W1 * (sx.M1 * a11 - sx.M0 * a10));
                        ey += la * (sy.M1 * hi - sy.M0 * lo);
                    }
                    r[i] = ex;
                    r[n + i] = ey;
                }
                else
                {
                    var sz = AxisStencil<T>.Locate(p[2 * n + i], nz, nzT, BoundaryMode.Border);
                    int p0 = sz.I0 * ny, p1 = sz.I1 * ny;
                    int o00 = (p0 + sy.I0) * nx, o01 = (p0 + sy.I1) * nx, o10 = (p1 + sy.I0) * nx, o11 = (p1 + sy.I1) * nx;
                    T ex = l[i], ey = l[n + i], ez = l[2 * n + i];
                    for (int a = 0; a < 3; a++)
                    {
                        ref T fa = ref Unsafe.Add(ref f0, a * n);
                        T a000 = Unsafe.Add(ref fa, o00 + sx.I0), a001 = Unsafe.Add(ref fa, o00 + sx.I1);
                        T a010 = Unsafe.Add(ref fa, o01 + sx.I0), a011 = Unsafe.Add(ref fa, o01 + sx.I1);
                        T a100 = Unsafe.Add(ref fa, o10 + sx.I0), a101 = Unsafe.Add(ref fa, o10 + sx.I1);
                        T a110 = Unsafe.Add(ref fa, o11 + sx.I0), a111 = Unsafe.Add(ref fa, o11 + sx.I1);
                        T x00 = sx.W0 * a000 + sx.W1 * a001, x01 = sx.W0 * a010 + sx.W1 * a011;
                        T x10 = sx.W0 * a100 + sx.W1 * a101, x11 = sx.W0 * a110 + sx.W1 * a111;
                        T dx00 = sx.M1 * a001 - sx.M0 * a000, dx01 = sx.M1 * a011 - sx.M0 * a010;
                        T dx10 = sx.M1 * a101 - sx.M0 * a100, dx11 = sx.M1 * a111 - sx.M0 * a110;
                        T y0 = sy.W0 * x00 + sy.W1 * x01, y1 = sy.W0 * x10 + sy.W1 * x11;
                        T la = l[a * n + i];
                        ex += la * (sz.W0 * (sy.W0 * dx00 + sy.W1 * dx01) + sz.W1 * (sy.W0 * dx10 + sy.W1 * dx11));
                        ey += la * (sz.W0 * (sy.M1 * x01 - sy.M0 * x00) + sz.W1 * (sy.M1 * x11 - sy.M0 * x10));
                        ez += la * (sz.M1 * y1 - sz.M0 * y0);
                    }
                    r[i] = ex;
                    r[n + i] = ey;
                    r[2 * n + i] = ez;
                }
            }
        });
    }
}
