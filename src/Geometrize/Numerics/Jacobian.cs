using System.Buffers;
using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>
/// Jacobian matrices and determinants of maps, with the stencils of <see cref="FiniteDifferences"/>
/// (central inside, one-sided at the borders, so affine maps are exact everywhere).
/// </summary>
/// <remarks>
/// Two kinds of input, matching the conventions of <see cref="Interpolation"/> and <see cref="DisplacementFields"/>:
/// <list type="bullet">
/// <item>an <b>index-space map</b> φ (d components = continuous indices): the matrix is ∂φ_a/∂x_b in index units
/// (index of the sampled grid per index of the map's grid); its determinant is the physical volume change only
/// when both grids share spacing and direction;</item>
/// <item>a <b>physical displacement</b> u (LPS, mm, φ(p) = p + u(p)): the matrix is I + ∂u/∂p with derivatives
/// taken with respect to physical position (direction and spacing applied), and its determinant is the usual
/// Jacobian determinant that ANTs/ITK report.</item>
/// </list>
/// Matrix outputs are vector fields with d·d components; component <c>a·d + b</c> holds entry (a, b).
/// Rows run in parallel; the determinant is SIMD along x; per-row scratch comes from the shared array pool.
/// </remarks>
public static class Jacobian
{
    /// <summary>Jacobian matrix ∂φ_a/∂x_b of an index-space map (index units).</summary>
    public static void MapMatrix<T>(VectorField<T> map, VectorField<T> matrix) where T : unmanaged, IFloatingPointIeee754<T>
        => Run(map, matrix, null, physical: false);

    /// <summary>Jacobian determinant det(∂φ/∂x) of an index-space map (index units); the identity map gives 1.</summary>
    public static void MapDeterminant<T>(VectorField<T> map, ScalarField<T> determinant) where T : unmanaged, IFloatingPointIeee754<T>
        => Run(map, null, determinant, physical: false);

    /// <summary>Jacobian matrix I + ∂u/∂p of φ = Id + u for a physical displacement field u.</summary>
    public static void DisplacementMatrix<T>(VectorField<T> displacement, VectorField<T> matrix) where T : unmanaged, IFloatingPointIeee754<T>
        => Run(displacement, matrix, null, physical: true);

    /// <summary>Jacobian determinant det(I + ∂u/∂p) of φ = Id + u for a physical displacement field u; u = 0 gives 1.</summary>
    public static void DisplacementDeterminant<T>(VectorField<T> displacement, ScalarField<T> determinant) where T : unmanaged, IFloatingPointIeee754<T>
        => Run(displacement, null, determinant, physical: true);

    private static void Run<T>(VectorField<T> field, VectorField<T>? matrix, ScalarField<T>? det, bool physical)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = field.Geometry;
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        FieldRequirements.Components(field, d, physical ? "displacement field" : "map");
        if (matrix is not null)
        {
            FieldRequirements.SameGrid(g, matrix.Geometry, "map and Jacobian matrix");
            FieldRequirements.Components(matrix, d * d, "Jacobian matrix output");
        }
        if (det is not null) FieldRequirements.SameGrid(g, det.Geometry, "map and Jacobian determinant");
        // Derivatives along index axes are taken in index units; physical ones are (∂U/∂i)·M with M = ∂i/∂p.
        var m = new T[d * d];
        for (int i = 0; i < d * d; i++) m[i] = T.CreateTruncating(g.PhysicalToIndexMatrix[i]);
        T[] src = field.Data;
        T[]? matOut = matrix?.Data, detOut = det?.Data;
        Parallelism.For(ny * nz, (long)nx * d * d * 4, (r0, r1) =>
        {
            int dd = d * d;
            T[] scratch = ArrayPool<T>.Shared.Rent(2 * dd * nx);
            try
            {
                var s = scratch.AsSpan(0, 2 * dd * nx);
                var raw = s[..(dd * nx)];
                var jac = s[(dd * nx)..];
                for (int r = r0; r < r1; r++)
                {
                    for (int a = 0; a < d; a++)
                        for (int c = 0; c < d; c++)
                            FiniteDifferences.DerivativeRow<T>(src.AsSpan(a * n, n), nx, ny, nz, r, c, T.One, raw.Slice((a * d + c) * nx, nx), false);
                    Span<T> j = raw;
                    if (physical)
                    {
                        for (int a = 0; a < d; a++)
                            for (int b = 0; b < d; b++)
                            {
                                var e = jac.Slice((a * d + b) * nx, nx);
                                e.Fill(a == b ? T.One : T.Zero);
                                for (int c = 0; c < d; c++)
                                    if (m[c * d + b] != T.Zero) RowArithmetic.AddScaled(raw.Slice((a * d + c) * nx, nx), m[c * d + b], e);
                            }
                        j = jac;
                    }
                    if (matOut is not null)
                        for (int e = 0; e < dd; e++) j.Slice(e * nx, nx).CopyTo(matOut.AsSpan(e * n + r * nx, nx));
                    if (detOut is not null)
                    {
                        if (d == 2) Determinant2(j, nx, detOut.AsSpan(r * nx, nx));
                        else Determinant3(j, nx, detOut.AsSpan(r * nx, nx));
                    }
                }
            }
            finally { ArrayPool<T>.Shared.Return(scratch); }
        });
    }

    private static void Determinant2<T>(ReadOnlySpan<T> j, int nx, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = j[..nx]; var b = j.Slice(nx, nx); var c = j.Slice(2 * nx, nx); var e = j.Slice(3 * nx, nx);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            int w = Vector<T>.Count;
            for (; i <= nx - w; i += w)
            {
                var r = new Vector<T>(a[i..]) * new Vector<T>(e[i..]) - new Vector<T>(b[i..]) * new Vector<T>(c[i..]);
                r.CopyTo(dst[i..]);
            }
        }
        for (; i < nx; i++) dst[i] = a[i] * e[i] - b[i] * c[i];
    }

    private static void Determinant3<T>(ReadOnlySpan<T> j, int nx, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m00 = j[..nx]; var m01 = j.Slice(nx, nx); var m02 = j.Slice(2 * nx, nx);
        var m10 = j.Slice(3 * nx, nx); var m11 = j.Slice(4 * nx, nx); var m12 = j.Slice(5 * nx, nx);
        var m20 = j.Slice(6 * nx, nx); var m21 = j.Slice(7 * nx, nx); var m22 = j.Slice(8 * nx, nx);
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            int w = Vector<T>.Count;
            for (; i <= nx - w; i += w)
            {
                Vector<T> a = new(m00[i..]), b = new(m01[i..]), c = new(m02[i..]);
                Vector<T> d = new(m10[i..]), e = new(m11[i..]), f = new(m12[i..]);
                Vector<T> g = new(m20[i..]), h = new(m21[i..]), k = new(m22[i..]);
                (a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g)).CopyTo(dst[i..]);
            }
        }
        for (; i < nx; i++)
            dst[i] = m00[i] * (m11[i] * m22[i] - m12[i] * m21[i]) - m01[i] * (m10[i] * m22[i] - m12[i] * m20[i])
                   + m02[i] * (m10[i] * m21[i] - m11[i] * m20[i]);
    }
}
