using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>
/// Finite differences along the grid axes. The derivative along axis <c>a</c> is the central difference
/// <c>(f[i+1] − f[i−1]) / (2h_a)</c> inside and the one-sided difference <c>(f[1] − f[0]) / h_a</c>,
/// <c>(f[N−1] − f[N−2]) / h_a</c> at the two ends (0 when N = 1); <c>h_a</c> is the spacing, so the result is
/// in units per mm along each grid axis (not rotated into LPS). Linear functions are differentiated exactly
/// everywhere, borders included.
/// </summary>
/// <remarks>
/// <see cref="Divergence{T}"/> is the natural operator Σ_a D_a v_a with the same stencils;
/// <see cref="GradientAdjoint{T}"/> is the exact transpose of <see cref="Gradient{T}"/> for the plain
/// sum over voxels and components, ⟨∇f, v⟩ = ⟨f, ∇ᵀv⟩, which equals −div inside but differs in the two
/// layers next to each border. Discrete adjoints (LDDMM, shooting) need the transpose, not −div.
/// All kernels are parallel over rows, SIMD along x (and across x for the y/z stencils), allocate nothing
/// proportional to the grid, and give identical results for any thread count.
/// </remarks>
public static class FiniteDifferences
{
    /// <summary>Gradient of <paramref name="f"/> into <paramref name="gradient"/> (d components, same grid).</summary>
    public static void Gradient<T>(ScalarField<T> f, VectorField<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = f.Geometry;
        FieldRequirements.SameGrid(g, gradient.Geometry, "gradient input and output");
        FieldRequirements.Components(gradient, g.Dimension, "gradient output");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, d = g.Dimension, n = g.Count;
        var inv = InverseSpacing<T>(g);
        T[] src = f.Data, dst = gradient.Data;
        Parallelism.For(ny * nz, (long)nx * d * 3, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
                for (int a = 0; a < d; a++)
                    DerivativeRow(src, nx, ny, nz, r, a, inv[a], dst.AsSpan(a * n + r * nx, nx), false);
        });
    }

    /// <summary>Divergence Σ_a ∂_a v_a with the same central / one-sided stencils as <see cref="Gradient{T}"/>.</summary>
    public static void Divergence<T>(VectorField<T> v, ScalarField<T> divergence) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = v.Geometry;
        FieldRequirements.SameGrid(g, divergence.Geometry, "divergence input and output");
        FieldRequirements.Components(v, g.Dimension, "divergence input");
        FieldRequirements.NotAliased(v.Data, divergence.Data, "divergence");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, d = g.Dimension, n = g.Count;
        var inv = InverseSpacing<T>(g);
        T[] src = v.Data, dst = divergence.Data;
        Parallelism.For(ny * nz, (long)nx * d * 3, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
                for (int a = 0; a < d; a++)
                    DerivativeRow(src.AsSpan(a * n, n), nx, ny, nz, r, a, inv[a], dst.AsSpan(r * nx, nx), a > 0);
        });
    }

    /// <summary>
    /// Exact transpose of <see cref="Gradient{T}"/>: writes ∇ᵀv into <paramref name="result"/> so that
    /// Σ ∇f·v = Σ f·∇ᵀv for every f and v (to round-off).
    /// </summary>
    public static void GradientAdjoint<T>(VectorField<T> v, ScalarField<T> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = v.Geometry;
        FieldRequirements.SameGrid(g, result.Geometry, "gradient adjoint input and output");
        FieldRequirements.Components(v, g.Dimension, "gradient adjoint input");
        int nx = g.Nx, ny = g.Ny, nz = g.Nz, d = g.Dimension, n = g.Count;
        var inv = InverseSpacing<T>(g);
        T[] src = v.Data, dst = result.Data;
        Parallelism.For(ny * nz, (long)nx * d * 4, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var row = dst.AsSpan(r * nx, nx);
                row.Clear();
                for (int a = 0; a < d; a++)
                    AdjointRow(src.AsSpan(a * n, n), nx, ny, nz, r, a, inv[a], row);
            }
        });
    }

    internal static T[] InverseSpacing<T>(ImageGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var inv = new T[g.Dimension];
        for (int a = 0; a < inv.Length; a++) inv[a] = T.CreateTruncating(1.0 / g.Spacing[a]);
        return inv;
    }

    /// <summary>
    /// Derivative along <paramref name="axis"/> of the row <paramref name="row"/> (= y + Ny·z) of
    /// <paramref name="f"/>, times <paramref name="invH"/>, written (or added) into <paramref name="dst"/>.
    /// </summary>
    internal static void DerivativeRow<T>(ReadOnlySpan<T> f, int nx, int ny, int nz, int row, int axis, T invH, Span<T> dst, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int start = row * nx;
        T half = T.CreateTruncating(0.5);
        if (axis == 0)
        {
            var r = f.Slice(start, nx);
            if (nx == 1)
            {
                if (!accumulate) dst[0] = T.Zero;
                return;
            }
            T first = (r[1] - r[0]) * invH, last = (r[nx - 1] - r[nx - 2]) * invH;
            if (nx > 2) RowArithmetic.Difference(r[2..], r, dst.Slice(1, nx - 2), invH * half, accumulate);
            if (accumulate) { dst[0] += first; dst[nx - 1] += last; }
            else { dst[0] = first; dst[nx - 1] = last; }
            return;
        }
        int stride = axis == 1 ? nx : nx * ny;
        int len = axis == 1 ? ny : nz;
        int pos = axis == 1 ? row % ny : row / ny;
        if (len == 1)
        {
            if (!accumulate) dst.Clear();
            return;
        }
        if (pos == 0) RowArithmetic.Difference(f.Slice(start + stride, nx), f.Slice(start, nx), dst, invH, accumulate);
        else if (pos == len - 1) RowArithmetic.Difference(f.Slice(start, nx), f.Slice(start - stride, nx), dst, invH, accumulate);
        else RowArithmetic.Difference(f.Slice(start + stride, nx), f.Slice(start - stride, nx), dst, invH * half, accumulate);
    }

    /// <summary>
    /// Coefficients of row <paramref name="i"/> of the 1-D difference matrix D (length <paramref name="n"/>):
    /// (D f)[i] = q·f[i−1] + r·f[i] + p·f[i+1].
    /// </summary>
    private static (T q, T r, T p) Stencil<T>(int i, int n, T invH) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 1) return (T.Zero, T.Zero, T.Zero);
        if (i == 0) return (T.Zero, -invH, invH);
        if (i == n - 1) return (-invH, invH, T.Zero);
        T h = invH * T.CreateTruncating(0.5);
        return (-h, T.Zero, h);
    }

    /// <summary>(Dᵀv)[j] = r_j v_j + p_{j−1} v_{j−1} + q_{j+1} v_{j+1}: the three coefficients multiplying v_j, v_{j−1}, v_{j+1}.</summary>
    private static (T self, T below, T above) TransposeStencil<T>(int j, int n, T invH) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T self = Stencil(j, n, invH).r;
        T below = j >= 1 ? Stencil(j - 1, n, invH).p : T.Zero;
        T above = j + 1 < n ? Stencil(j + 1, n, invH).q : T.Zero;
        return (self, below, above);
    }

    /// <summary>Adds (D_axisᵀ v)[row] into <paramref name="dst"/>.</summary>
    internal static void AdjointRow<T>(ReadOnlySpan<T> v, int nx, int ny, int nz, int row, int axis, T invH, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int start = row * nx;
        if (axis == 0)
        {
            var r = v.Slice(start, nx);
            if (nx >= 6)
            {
                // Interior j ∈ [2, N−3]: (v[j−1] − v[j+1]) / (2h).
                RowArithmetic.Difference(r.Slice(1, nx - 4), r.Slice(3, nx - 4), dst.Slice(2, nx - 4), invH * T.CreateTruncating(0.5), true);
                AdjointAt(r, 0, nx, invH, dst); AdjointAt(r, 1, nx, invH, dst);
                AdjointAt(r, nx - 2, nx, invH, dst); AdjointAt(r, nx - 1, nx, invH, dst);
            }
            else
                for (int j = 0; j < nx; j++) AdjointAt(r, j, nx, invH, dst);
            return;
        }
        int stride = axis == 1 ? nx : nx * ny;
        int len = axis == 1 ? ny : nz;
        int pos = axis == 1 ? row % ny : row / ny;
        var (self, below, above) = TransposeStencil(pos, len, invH);
        if (self != T.Zero) RowArithmetic.AddScaled(v.Slice(start, nx), self, dst);
        if (below != T.Zero) RowArithmetic.AddScaled(v.Slice(start - stride, nx), below, dst);
        if (above != T.Zero) RowArithmetic.AddScaled(v.Slice(start + stride, nx), above, dst);
    }

    private static void AdjointAt<T>(ReadOnlySpan<T> r, int j, int n, T invH, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (self, below, above) = TransposeStencil(j, n, invH);
        T s = self * r[j];
        if (j >= 1) s += below * r[j - 1];
        if (j + 1 < n) s += above * r[j + 1];
        dst[j] += s;
    }
}
