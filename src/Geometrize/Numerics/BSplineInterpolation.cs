using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>
/// Cubic B-spline interpolation (Unser, Aldroubi &amp; Eden 1991; Thévenaz, Blu &amp; Unser 2000): the continuous image
/// f(x) = Σ_k c_k β³(x − k) whose samples at the voxel centres are exactly the image's values. The coefficients c come
/// from a recursive prefilter (<see cref="Coefficients{T}(VectorField{T})"/>); reading the image at arbitrary points is then a 4-tap
/// (2-D: 16, 3-D: 64) weighted sum (<see cref="Sample{T}"/>).
/// </summary>
/// <remarks>
/// <para><b>Why.</b> Linear interpolation low-pass filters an image by up to a quarter of its high-frequency energy
/// at half-voxel offsets, so a warped image read linearly never matches the fixed image's edges: on the ITK brain pair
/// this blur alone leaves an MSE near 38 for any registration (elastix with linear final resampling measures the same).
/// The cubic spline reproduces polynomials up to degree 3 and keeps edges, which is why elastix resamples its final
/// result with it by default; <c>geometrize register</c> does the same for <c>warped.nii.gz</c>.</para>
/// <para><b>Boundaries.</b> The image is extended by whole-sample mirroring (…, f₁, f₀, f₁, …), which the prefilter's
/// initial values assume; points beyond the half-voxel band around the grid read <see cref="BoundaryMode.Zero"/>
/// as 0 and <see cref="BoundaryMode.Border"/> as the nearest in-band value, as <see cref="Interpolation"/> does.</para>
/// <para><b>Precision.</b> The prefilter runs in double along each line; sampling accumulates in double.</para>
/// </remarks>
public static class BSplineInterpolation
{
    /// <summary>The pole of the cubic B-spline's inverse filter, √3 − 2.</summary>
    private static readonly double Pole = Math.Sqrt(3) - 2;

    /// <summary>Relative size below which the mirrored causal sum that starts the recursion is truncated.</summary>
    private const double Tolerance = 1e-12;

    /// <summary>
    /// The cubic B-spline coefficients of every component of <paramref name="field"/>, on its grid: interpolating them
    /// with <see cref="Sample{T}"/> returns the field's values exactly at voxel centres.
    /// </summary>
    public static VectorField<T> Coefficients<T>(VectorField<T> field) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = new VectorField<T>(field.Geometry, (T[])field.Data.Clone(), field.Components);
        var g = field.Geometry;
        for (int k = 0; k < c.Components; k++)
        {
            var block = c.Data.AsMemory(k * g.Count, g.Count);
            // Lines along x start at every row; along y at every x of each slice; along z at every (x, y).
            PrefilterAxis(block, g.Nx, 1, g.Ny * g.Nz, 1, g.Nx);
            PrefilterAxis(block, g.Ny, g.Nx, g.Nx * g.Nz, g.Nx, g.Nx * g.Ny);
            if (g.Dimension == 3) PrefilterAxis(block, g.Nz, g.Nx * g.Ny, g.Nx * g.Ny, g.Nx * g.Ny, 0);
        }
        return c;
    }

    /// <summary>The cubic B-spline coefficients of a scalar field (see <see cref="Coefficients{T}(VectorField{T})"/>).</summary>
    public static ScalarField<T> Coefficients<T>(ScalarField<T> field) where T : unmanaged, IFloatingPointIeee754<T>
        => Coefficients(new VectorField<T>(field.Geometry, field.Data, 1)).ComponentCopy(0);

    /// <summary>result(x) = field(points(x)) by cubic B-spline interpolation of a scalar field (prefilters it first).</summary>
    public static void Interpolate<T>(ScalarField<T> field, VectorField<T> points, ScalarField<T> result, BoundaryMode mode = BoundaryMode.Zero)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.SameGrid(points.Geometry, result.Geometry, "sampling points and interpolation output");
        Sample(Coefficients(field).Data, field.Geometry, 1, points, result.Data, mode);
    }

    /// <summary>result(x) = field(points(x)) by cubic B-spline interpolation of every component (prefilters the field first).</summary>
    public static void Interpolate<T>(VectorField<T> field, VectorField<T> points, VectorField<T> result, BoundaryMode mode = BoundaryMode.Zero)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FieldRequirements.SameGrid(points.Geometry, result.Geometry, "sampling points and interpolation output");
        FieldRequirements.Components(result, field.Components, "interpolation output");
        Sample(Coefficients(field).Data, field.Geometry, field.Components, points, result.Data, mode);
    }

    /// <summary>
    /// Reads the spline with coefficients <paramref name="coefficients"/> (<paramref name="components"/> blocks on grid
    /// <paramref name="g"/>) at the continuous voxel indices <paramref name="points"/> into <paramref name="result"/>.
    /// </summary>
    /// <param name="coefficients">Spline coefficients from <see cref="Coefficients{T}(VectorField{T})"/>, component-major.</param>
    /// <param name="g">Grid of the coefficients.</param>
    /// <param name="components">Number of component blocks.</param>
    /// <param name="points">Continuous voxel indices of <paramref name="g"/>, d components.</param>
    /// <param name="result">Output, <paramref name="components"/> blocks of the points' count.</param>
    /// <param name="mode"><see cref="BoundaryMode.Zero"/> (0 beyond the half-voxel band) or <see cref="BoundaryMode.Border"/> (clamped into it).</param>
    public static void Sample<T>(T[] coefficients, ImageGeometry g, int components, VectorField<T> points, T[] result, BoundaryMode mode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = g.Dimension;
        FieldRequirements.Components(points, d, "sampling points");
        if (mode == BoundaryMode.Periodic)
            throw new InvalidParameterException("mode", "cubic B-spline interpolation supports the zero and border boundary modes, not periodic.");
        int np = points.Count, rowLen = points.Geometry.Nx, nx = g.Nx, ny = g.Ny, nz = g.Nz, n = g.Count;
        if (result.Length < (long)components * np)
            throw new GridMismatchException($"the interpolation output holds {result.Length} values; {components} component(s) of {np} points need {(long)components * np}.");
        T[] p = points.Data;
        Parallelism.For(np / rowLen, (long)rowLen * (d == 3 ? 160 : 40) * components, (r0, r1) =>
        {
            Span<double> wx = stackalloc double[4], wy = stackalloc double[4], wz = stackalloc double[4];
            Span<int> ix = stackalloc int[4], iy = stackalloc int[4], iz = stackalloc int[4];
            wz[0] = 1; iz[0] = 0;
            int zTaps = d == 3 ? 4 : 1;
            for (int i = r0 * rowLen, end = r1 * rowLen; i < end; i++)
            {
                double qx = double.CreateTruncating(p[i]), qy = double.CreateTruncating(p[np + i]);
                double qz = d == 3 ? double.CreateTruncating(p[2 * np + i]) : 0;
                bool inside = Taps(qx, nx, mode, wx, ix) & Taps(qy, ny, mode, wy, iy) & (d != 3 || Taps(qz, nz, mode, wz, iz));
                for (int k = 0; k < components; k++)
                {
                    if (!inside) { result[k * np + i] = T.Zero; continue; }
                    int block = k * n;
                    double sum = 0;
                    for (int c = 0; c < zTaps; c++)
                    {
                        int zOff = block + iz[c] * nx * ny;
                        double sy = 0;
                        for (int b = 0; b < 4; b++)
                        {
                            int row = zOff + iy[b] * nx;
                            double sx = wx[0] * double.CreateTruncating(coefficients[row + ix[0]])
                                + wx[1] * double.CreateTruncating(coefficients[row + ix[1]])
                                + wx[2] * double.CreateTruncating(coefficients[row + ix[2]])
                                + wx[3] * double.CreateTruncating(coefficients[row + ix[3]]);
                            sy += wy[b] * sx;
                        }
                        sum += wz[c] * sy;
                    }
                    result[k * np + i] = T.CreateTruncating(sum);
                }
            }
        });
    }

    /// <summary>
    /// The four cubic B-spline weights and mirrored indices along an axis of <paramref name="count"/> samples at the
    /// continuous index <paramref name="q"/>; false when the point lies beyond the half-voxel band in zero mode
    /// (or is not finite).
    /// </summary>
    private static bool Taps(double q, int count, BoundaryMode mode, Span<double> w, Span<int> index)
    {
        if (!double.IsFinite(q)) return false;
        if (q < -0.5 || q > count - 0.5)
        {
            if (mode == BoundaryMode.Zero) return false;
            q = Math.Clamp(q, -0.5, count - 0.5);
        }
        double f = Math.Floor(q), t = q - f, s = 1 - t;
        w[0] = s * s * s / 6;
        w[1] = 2.0 / 3 - t * t + 0.5 * t * t * t;
        w[2] = 2.0 / 3 - s * s + 0.5 * s * s * s;
        w[3] = t * t * t / 6;
        int first = (int)f - 1;
        for (int j = 0; j < 4; j++) index[j] = Mirror(first + j, count);
        return true;
    }

    /// <summary>Whole-sample mirroring of an index into [0, count).</summary>
    private static int Mirror(int j, int count)
    {
        if (count == 1) return 0;
        int period = 2 * count - 2;
        j %= period;
        if (j < 0) j += period;
        return j < count ? j : period - j;
    }

    /// <summary>
    /// Runs the cubic prefilter along one axis of a block: <paramref name="lineCount"/> lines of <paramref name="length"/>
    /// samples <paramref name="stride"/> apart; line l starts at (l mod <paramref name="inner"/>) + (l div inner)·<paramref name="outerStride"/>.
    /// </summary>
    private static void PrefilterAxis<T>(Memory<T> block, int length, int stride, int lineCount, int inner, int outerStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (length < 2) return;
        Parallelism.For(lineCount, (long)length * 8, (l0, l1) =>
        {
            var data = block.Span;
            Span<double> line = length <= 1024 ? stackalloc double[length] : new double[length];
            for (int l = l0; l < l1; l++)
            {
                int start = l % inner + l / inner * outerStride;
                for (int i = 0; i < length; i++) line[i] = double.CreateTruncating(data[start + i * stride]);
                Prefilter(line);
                for (int i = 0; i < length; i++) data[start + i * stride] = T.CreateTruncating(line[i]);
            }
        });
    }

    /// <summary>
    /// Turns samples into cubic B-spline coefficients in place: gain 6, a causal then an anti-causal first-order
    /// recursion with pole z = √3 − 2, started with the whole-sample mirror conditions.
    /// </summary>
    internal static void Prefilter(Span<double> c)
    {
        int n = c.Length;
        if (n < 2) return;
        double z = Pole;
        for (int i = 0; i < n; i++) c[i] *= 6;

        // Causal start: Σ_k z^k c[mirror(k)], truncated once |z|^k is negligible, or summed over a full mirror period.
        int horizon = (int)Math.Ceiling(Math.Log(Tolerance) / Math.Log(Math.Abs(z)));
        double sum;
        if (horizon < n)
        {
            sum = c[0];
            double zk = z;
            for (int k = 1; k < horizon; k++) { sum += zk * c[k]; zk *= z; }
        }
        else
        {
            // Exact for the mirrored (period 2n − 2) signal: (Σ_{k<n} z^k c_k + Σ_{0<k<n−1} z^{2n−2−k} c_k) / (1 − z^{2n−2}).
            double zn = Math.Pow(z, n - 1), iz = 1 / z, z2n = zn * zn / z;
            sum = c[0] + zn * c[n - 1];
            double zk = z;
            for (int k = 1; k < n - 1; k++)
            {
                sum += (zk + z2n) * c[k];
                zk *= z;
                z2n *= iz;
            }
            sum /= 1 - zn * zn;
        }
        c[0] = sum;
        for (int k = 1; k < n; k++) c[k] += z * c[k - 1];

        // Anti-causal start for the mirror condition, then the backward recursion.
        c[n - 1] = z / (z * z - 1) * (c[n - 1] + z * c[n - 2]);
        for (int k = n - 2; k >= 0; k--) c[k] = z * (c[k + 1] - c[k]);
    }
}
