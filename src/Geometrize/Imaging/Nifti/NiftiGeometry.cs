using Geometrize.Numerics;

namespace Geometrize.Imaging.Nifti;

/// <summary>
/// Converts between a NIfTI header's voxel-to-world affine (RAS+) and <see cref="ImageGeometry"/> (ITK's LPS).
/// The affine is chosen as the standard orders it: sform when <c>sform_code &gt; 0</c>, else the qform quaternion
/// (with <c>qfac</c> from <c>pixdim[0]</c>) when <c>qform_code &gt; 0</c>, else the pixdim scaling alone
/// ("method 1" of the standard, no offset). RAS becomes LPS by negating the first two rows.
/// </summary>
internal static class NiftiGeometry
{
    private const double Tolerance = 1e-6;

    /// <summary>
    /// The LPS index-to-world affine, row-major 3×4. <paramref name="planar"/> relaxes the third pixdim (unused
    /// by a single-slice image) to 1 when it is invalid.
    /// </summary>
    public static double[] LpsAffine(NiftiHeader h, string file, bool planar)
    {
        var a = new double[12];
        if (h.SformCode > 0)
        {
            Array.Copy(h.SRow, a, 12);
        }
        else
        {
            double dx = PixDim(h, 1, file), dy = PixDim(h, 2, file);
            double dz = planar && !(h.PixDim[3] > 0 && double.IsFinite(h.PixDim[3])) ? 1 : PixDim(h, 3, file);
            if (h.QformCode > 0)
            {
                double qfac = h.PixDim[0] < 0 ? -1 : 1;
                Span<double> r = stackalloc double[9];
                QuaternionToRotation(h.QuaternB, h.QuaternC, h.QuaternD, r);
                for (int row = 0; row < 3; row++)
                {
                    a[4 * row + 0] = r[3 * row + 0] * dx;
                    a[4 * row + 1] = r[3 * row + 1] * dy;
                    a[4 * row + 2] = r[3 * row + 2] * dz * qfac;
                    a[4 * row + 3] = h.QOffset[row];
                }
            }
            else
            {
                a[0] = dx; a[5] = dy; a[10] = dz;
            }
        }
        foreach (double v in a)
            if (!double.IsFinite(v)) throw new ImageFormatException(file, "the NIfTI orientation (sform/qform/pixdim) contains a non-finite value.");
        for (int c = 0; c < 4; c++) { a[c] = -a[c]; a[4 + c] = -a[4 + c]; }
        return a;
    }

    private static double PixDim(NiftiHeader h, int i, string file)
    {
        double v = h.PixDim[i];
        if (!(v > 0) || !double.IsFinite(v))
            throw new ImageFormatException(file, $"pixdim[{i}] is {v}; voxel spacing must be positive and finite.");
        return v;
    }

    /// <summary>
    /// True when the first two voxel axes have no through-plane (z) component, so a single-slice image can be
    /// taken as 2-D without changing where its voxels are in the plane.
    /// </summary>
    public static bool IsPlanar(ReadOnlySpan<double> lps)
    {
        double scale = Math.Max(Norm(lps, 0), Norm(lps, 1));
        return Math.Abs(lps[8]) <= Tolerance * scale && Math.Abs(lps[9]) <= Tolerance * scale;
    }

    /// <summary>Decomposes the affine into spacing (column norms), direction (unit columns) and origin.</summary>
    public static ImageGeometry ToGeometry(ReadOnlySpan<double> lps, ReadOnlySpan<int> size, string file)
    {
        int d = size.Length;
        Span<double> spacing = stackalloc double[d], origin = stackalloc double[d], dir = stackalloc double[d * d];
        for (int c = 0; c < d; c++)
        {
            double s = Norm(lps, c, d);
            if (!(s > 0) || !double.IsFinite(s))
                throw new ImageFormatException(file, $"the NIfTI affine gives axis {c} a spacing of {s}; spacing must be positive.");
            spacing[c] = s;
            for (int r = 0; r < d; r++) dir[r * d + c] = lps[4 * r + c] / s;
        }
        for (int r = 0; r < d; r++) origin[r] = lps[4 * r + 3];
        return new ImageGeometry(size, spacing, origin, dir);
    }

    private static double Norm(ReadOnlySpan<double> a, int col, int rows = 3)
    {
        double s = 0;
        for (int r = 0; r < rows; r++) s += a[4 * r + col] * a[4 * r + col];
        return Math.Sqrt(s);
    }

    /// <summary>Rotation matrix (row-major) of the unit quaternion (a, b, c, d) with a = √(1 − b² − c² − d²).</summary>
    public static void QuaternionToRotation(double b, double c, double d, Span<double> r)
    {
        double a = 1 - (b * b + c * c + d * d);
        if (a < 1e-7)
        {
            // A 180° rotation: a is 0 and (b, c, d) is renormalised, as the standard prescribes.
            double n = Math.Sqrt(b * b + c * c + d * d);
            if (n > 0) { b /= n; c /= n; d /= n; }
            a = 0;
        }
        else a = Math.Sqrt(a);
        r[0] = a * a + b * b - c * c - d * d; r[1] = 2 * (b * c - a * d); r[2] = 2 * (b * d + a * c);
        r[3] = 2 * (b * c + a * d); r[4] = a * a + c * c - b * b - d * d; r[5] = 2 * (c * d - a * b);
        r[6] = 2 * (b * d - a * c); r[7] = 2 * (c * d + a * b); r[8] = a * a + d * d - c * c - b * b;
    }

    /// <summary>
    /// Fills the header's sform (exact affine), qform (quaternion of the rotation, qfac for a reflection) and
    /// pixdim[0..3] from a geometry; 2-D geometries are embedded with a unit third axis.
    /// </summary>
    public static void ToHeader(ImageGeometry g, NiftiHeader h)
    {
        int d = g.Dimension;
        Span<double> m = stackalloc double[9], sp = stackalloc double[3], o = stackalloc double[3];
        m.Clear();
        m[8] = 1;
        sp[2] = 1;
        o.Clear();
        for (int r = 0; r < d; r++)
        {
            sp[r] = g.Spacing[r];
            o[r] = g.Origin[r];
            for (int c = 0; c < d; c++) m[3 * r + c] = g.Direction[r * d + c];
        }
        // LPS → RAS: negate the first two rows of both the direction and the origin.
        for (int c = 0; c < 3; c++) { m[c] = -m[c]; m[3 + c] = -m[3 + c]; }
        o[0] = -o[0]; o[1] = -o[1];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++) h.SRow[4 * r + c] = m[3 * r + c] * sp[c];
            h.SRow[4 * r + 3] = o[r];
            h.QOffset[r] = o[r];
        }
        double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
        double qfac = det < 0 ? -1 : 1;
        if (qfac < 0) { m[2] = -m[2]; m[5] = -m[5]; m[8] = -m[8]; }
        RotationToQuaternion(m, out double b, out double qc, out double qd);
        h.QuaternB = b; h.QuaternC = qc; h.QuaternD = qd;
        h.PixDim[0] = qfac;
        for (int i = 0; i < 3; i++) h.PixDim[i + 1] = sp[i];
        h.QformCode = 1;
        h.SformCode = 1;
    }

    /// <summary>Unit quaternion (b, c, d with a ≥ 0) of a proper rotation, by the largest-diagonal method.</summary>
    private static void RotationToQuaternion(ReadOnlySpan<double> r, out double b, out double c, out double d)
    {
        double a, trace = r[0] + r[4] + r[8] + 1;
        if (trace > 0.5)
        {
            a = 0.5 * Math.Sqrt(trace);
            b = 0.25 * (r[7] - r[5]) / a;
            c = 0.25 * (r[2] - r[6]) / a;
            d = 0.25 * (r[3] - r[1]) / a;
        }
        else
        {
            double xd = 1 + r[0] - (r[4] + r[8]), yd = 1 + r[4] - (r[0] + r[8]), zd = 1 + r[8] - (r[0] + r[4]);
            if (xd > 1)
            {
                b = 0.5 * Math.Sqrt(xd); c = 0.25 * (r[1] + r[3]) / b; d = 0.25 * (r[2] + r[6]) / b; a = 0.25 * (r[7] - r[5]) / b;
            }
            else if (yd > 1)
            {
                c = 0.5 * Math.Sqrt(yd); b = 0.25 * (r[1] + r[3]) / c; d = 0.25 * (r[5] + r[7]) / c; a = 0.25 * (r[2] - r[6]) / c;
            }
            else
            {
                d = 0.5 * Math.Sqrt(zd); b = 0.25 * (r[2] + r[6]) / d; c = 0.25 * (r[5] + r[7]) / d; a = 0.25 * (r[3] - r[1]) / d;
            }
            if (a < 0) { b = -b; c = -c; d = -d; }
        }
    }
}
