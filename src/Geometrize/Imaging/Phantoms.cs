using Geometrize.Numerics;

namespace Geometrize.Imaging;

/// <summary>
/// Synthetic test images with known content: the Shepp–Logan head phantom in 2-D and 3-D and simple binary
/// shapes (disc, square) for registration tests.
/// </summary>
/// <remarks>
/// All phantoms live on a grid with spacing 1, origin 0 and identity direction. The Shepp–Logan phantoms map the
/// grid onto the normalised square/cube [-1, 1]^d with voxel centres at <c>(2i + 1)/n - 1</c>; the y axis points up
/// in the phantom's own coordinates (row 0 is y ≈ +1), so that the image looks like the usual published figure
/// when row 0 is shown at the top.
/// </remarks>
public static class Phantoms
{
    // Modified Shepp–Logan (Toft, "The Radon Transform", 1996): intensity, semi-axes a, b, centre (x0, y0),
    // rotation phi in degrees (counter-clockwise). Toft's intensities give better contrast than the original
    // Shepp–Logan values and keep every sum inside [0, 1].
    private static readonly (double A, double a, double b, double x0, double y0, double phi)[] Ellipses2D =
    [
        (1.0, 0.6900, 0.9200, 0.00, 0.0000, 0),
        (-0.8, 0.6624, 0.8740, 0.00, -0.0184, 0),
        (-0.2, 0.1100, 0.3100, 0.22, 0.0000, -18),
        (-0.2, 0.1600, 0.4100, -0.22, 0.0000, 18),
        (0.1, 0.2100, 0.2500, 0.00, 0.3500, 0),
        (0.1, 0.0460, 0.0460, 0.00, 0.1000, 0),
        (0.1, 0.0460, 0.0460, 0.00, -0.1000, 0),
        (0.1, 0.0460, 0.0230, -0.08, -0.6050, 0),
        (0.1, 0.0230, 0.0230, 0.00, -0.6060, 0),
        (0.1, 0.0230, 0.0460, 0.06, -0.6050, 0),
    ];

    // 3-D ellipsoids of Kak & Slaney's 3-D head phantom with the modified (Toft) intensities, as commonly used:
    // intensity, semi-axes (a, b, c), centre (x0, y0, z0), z-x-z Euler angles (phi, theta, psi) in degrees.
    private static readonly (double A, double a, double b, double c, double x0, double y0, double z0, double phi, double theta, double psi)[] Ellipsoids3D =
    [
        (1.0, 0.6900, 0.920, 0.810, 0.00, 0.0000, 0.00, 0, 0, 0),
        (-0.8, 0.6624, 0.874, 0.780, 0.00, -0.0184, 0.00, 0, 0, 0),
        (-0.2, 0.1100, 0.310, 0.220, 0.22, 0.0000, 0.00, -18, 0, 10),
        (-0.2, 0.1600, 0.410, 0.280, -0.22, 0.0000, 0.00, 18, 0, 10),
        (0.1, 0.2100, 0.250, 0.410, 0.00, 0.3500, -0.15, 0, 0, 0),
        (0.1, 0.0460, 0.046, 0.050, 0.00, 0.1000, 0.25, 0, 0, 0),
        (0.1, 0.0460, 0.046, 0.050, 0.00, -0.1000, 0.25, 0, 0, 0),
        (0.1, 0.0460, 0.023, 0.050, -0.08, -0.6050, 0.00, 0, 0, 0),
        (0.1, 0.0230, 0.023, 0.020, 0.00, -0.6060, 0.00, 0, 0, 0),
        (0.1, 0.0230, 0.046, 0.020, 0.06, -0.6050, 0.00, 0, 0, 0),
    ];

    /// <summary>The modified (Toft) Shepp–Logan phantom on an n×n grid, values in [0, 1] (1 = skull, 0.2 = brain).</summary>
    /// <param name="n">Pixels per side, at least 8.</param>
    public static ScalarField<float> SheppLogan2D(int n)
    {
        RequireSize(n, 8, 1 << 15, "n");
        var field = new ScalarField<float>(ImageGeometry.Create2D(n, n));
        var e = Ellipses2D;
        // Precompute cos/sin once per ellipse; each pixel is then a handful of multiply-adds per ellipse.
        var cs = new (double c, double s)[e.Length];
        for (int k = 0; k < e.Length; k++) cs[k] = (Math.Cos(e[k].phi * Math.PI / 180), Math.Sin(e[k].phi * Math.PI / 180));
        float[] data = field.Data;
        Parallelism.For(n, n * e.Length, (start, end) =>
        {
            for (int j = start; j < end; j++)
            {
                double y = 1 - (2.0 * j + 1) / n;
                for (int i = 0; i < n; i++)
                {
                    double x = (2.0 * i + 1) / n - 1, v = 0;
                    for (int k = 0; k < e.Length; k++)
                    {
                        double dx = x - e[k].x0, dy = y - e[k].y0;
                        // Rotate the point by -phi into the ellipse's own axes.
                        double u = dx * cs[k].c + dy * cs[k].s, w = -dx * cs[k].s + dy * cs[k].c;
                        if (u * u / (e[k].a * e[k].a) + w * w / (e[k].b * e[k].b) <= 1) v += e[k].A;
                    }
                    data[i + n * j] = ClampUnit(v);
                }
            }
        });
        return field;
    }

    /// <summary>The 3-D modified Shepp–Logan phantom (ten ellipsoids) on an n×n×n grid, values in [0, 1].</summary>
    /// <param name="n">Voxels per side, at least 8.</param>
    public static ScalarField<float> SheppLogan3D(int n)
    {
        RequireSize(n, 8, 1290, "n");
        var field = new ScalarField<float>(ImageGeometry.Create3D(n, n, n));
        var e = Ellipsoids3D;
        // Rows of the rotation taking a world offset into each ellipsoid's axes (z-x-z Euler angles).
        var rot = new double[e.Length][];
        for (int k = 0; k < e.Length; k++) rot[k] = EulerZxz(e[k].phi, e[k].theta, e[k].psi);
        float[] data = field.Data;
        Parallelism.For(n * n, n * e.Length, (start, end) =>
        {
            for (int jk = start; jk < end; jk++)
            {
                int j = jk % n, kz = jk / n;
                double y = 1 - (2.0 * j + 1) / n, z = (2.0 * kz + 1) / n - 1;
                for (int i = 0; i < n; i++)
                {
                    double x = (2.0 * i + 1) / n - 1, v = 0;
                    for (int k = 0; k < e.Length; k++)
                    {
                        double dx = x - e[k].x0, dy = y - e[k].y0, dz = z - e[k].z0;
                        double[] r = rot[k];
                        double p = (r[0] * dx + r[1] * dy + r[2] * dz) / e[k].a;
                        double q = (r[3] * dx + r[4] * dy + r[5] * dz) / e[k].b;
                        double s = (r[6] * dx + r[7] * dy + r[8] * dz) / e[k].c;
                        if (p * p + q * q + s * s <= 1) v += e[k].A;
                    }
                    data[i + n * jk] = ClampUnit(v);
                }
            }
        });
        return field;
    }

    /// <summary>
    /// A disc of value 1 on 0, centred on the grid centre <c>((n-1)/2, (n-1)/2)</c>, <paramref name="radius"/> in pixels.
    /// With <paramref name="antialias"/>, boundary pixels hold their covered area fraction (16×16 supersampling),
    /// so the image sum approximates π r².
    /// </summary>
    public static ScalarField<float> Disc(int n, double radius, bool antialias = false)
    {
        RequireSize(n, 1, 1 << 15, "n");
        if (!(radius > 0) || !double.IsFinite(radius)) throw new InvalidParameterException("radius", $"must be positive and finite, got {radius}.");
        var field = new ScalarField<float>(ImageGeometry.Create2D(n, n));
        double c = (n - 1) / 2.0, r2 = radius * radius;
        const int Sub = 16;
        float[] data = field.Data;
        Parallelism.For(n, n, (start, end) =>
        {
            for (int j = start; j < end; j++)
                for (int i = 0; i < n; i++)
                {
                    double dx = i - c, dy = j - c, d = Math.Sqrt(dx * dx + dy * dy);
                    float v;
                    // A pixel lies wholly inside/outside when its centre is farther than half its diagonal from the edge.
                    if (!antialias || Math.Abs(d - radius) > 0.7072) v = dx * dx + dy * dy <= r2 ? 1f : 0f;
                    else
                    {
                        int hits = 0;
                        for (int sj = 0; sj < Sub; sj++)
                        {
                            double yy = dy - 0.5 + (sj + 0.5) / Sub;
                            for (int si = 0; si < Sub; si++)
                            {
                                double xx = dx - 0.5 + (si + 0.5) / Sub;
                                if (xx * xx + yy * yy <= r2) hits++;
                            }
                        }
                        v = hits / (float)(Sub * Sub);
                    }
                    data[i + n * j] = v;
                }
        });
        return field;
    }

    /// <summary>
    /// An axis-aligned square of value 1 on 0, centred on the grid centre, <paramref name="side"/> in pixels. With
    /// <paramref name="antialias"/>, each pixel holds the exact area of its overlap with the square, so the image
    /// sum equals side² whenever the square lies inside the grid.
    /// </summary>
    public static ScalarField<float> Square(int n, double side, bool antialias = false)
    {
        RequireSize(n, 1, 1 << 15, "n");
        if (!(side > 0) || !double.IsFinite(side)) throw new InvalidParameterException("side", $"must be positive and finite, got {side}.");
        var field = new ScalarField<float>(ImageGeometry.Create2D(n, n));
        double c = (n - 1) / 2.0, lo = c - side / 2, hi = c + side / 2;
        // The square is separable: coverage (or membership) per axis, multiplied.
        var cover = new double[n];
        for (int i = 0; i < n; i++)
            cover[i] = antialias
                ? Math.Max(0, Math.Min(i + 0.5, hi) - Math.Max(i - 0.5, lo))
                : (i >= lo && i <= hi ? 1 : 0);
        float[] data = field.Data;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                data[i + n * j] = (float)(cover[i] * cover[j]);
        return field;
    }

    /// <summary>Row-major rotation R = Rz(psi)·Rx(theta)·Rz(phi) transposed, i.e. world offsets → body axes.</summary>
    private static double[] EulerZxz(double phiDeg, double thetaDeg, double psiDeg)
    {
        double f = phiDeg * Math.PI / 180, t = thetaDeg * Math.PI / 180, p = psiDeg * Math.PI / 180;
        double cf = Math.Cos(f), sf = Math.Sin(f), ct = Math.Cos(t), st = Math.Sin(t), cp = Math.Cos(p), sp = Math.Sin(p);
        return
        [
            cp * cf - ct * sf * sp, cp * sf + ct * cf * sp, sp * st,
            -sp * cf - ct * sf * cp, -sp * sf + ct * cf * cp, cp * st,
            st * sf, -st * cf, ct,
        ];
    }

    // Sums such as 1 - 0.8 - 0.2 leave ±1e-17 residues; the phantom is defined on [0, 1].
    private static float ClampUnit(double v) => (float)Math.Clamp(v, 0, 1);

    private static void RequireSize(int n, int min, int max, string name)
    {
        if (n < min || n > max) throw new InvalidParameterException(name, $"must be between {min} and {max}, got {n}.");
    }
}
