namespace Geometrize.Tests.Numerics.Fourier;

/// <summary>O(n²)-per-line reference DFTs in double, the known answer the fast transforms are checked against.</summary>
internal static class NaiveDft
{
    /// <summary>Complex DFT along one axis of an interleaved array of shape dims (x fastest), sign −1 forward.</summary>
    public static double[] Axis(double[] data, int[] dims, int axis, int sign)
    {
        int nx = dims[0], ny = dims.Length > 1 ? dims[1] : 1, nz = dims.Length > 2 ? dims[2] : 1;
        int[] d = [nx, ny, nz];
        int n = d[axis];
        int stride = axis == 0 ? 1 : axis == 1 ? nx : nx * ny;
        var result = new double[data.Length];
        var re = new double[n];
        var im = new double[n];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    int[] c = [x, y, z];
                    if (c[axis] != 0) continue;
                    int baseIdx = x + nx * (y + ny * z);
                    for (int k = 0; k < n; k++)
                    {
                        double sr = 0, si = 0;
                        for (int j = 0; j < n; j++)
                        {
                            double ang = sign * 2 * Math.PI * ((long)j * k % n) / n;
                            double cr = Math.Cos(ang), ci = Math.Sin(ang);
                            int idx = 2 * (baseIdx + j * stride);
                            sr += data[idx] * cr - data[idx + 1] * ci;
                            si += data[idx] * ci + data[idx + 1] * cr;
                        }
                        re[k] = sr; im[k] = si;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        result[2 * (baseIdx + k * stride)] = re[k];
                        result[2 * (baseIdx + k * stride) + 1] = im[k];
                    }
                }
        return result;
    }

    /// <summary>Half spectrum (kx = 0..nx/2) of real data, as numpy rfftn, interleaved.</summary>
    public static double[] RealForward(double[] real, int[] dims)
    {
        var c = new double[2 * real.Length];
        for (int i = 0; i < real.Length; i++) c[2 * i] = real[i];
        for (int a = 0; a < dims.Length; a++) c = Axis(c, dims, a, -1);
        int nx = dims[0], nxh = nx / 2 + 1, rest = real.Length / nx;
        var half = new double[2 * nxh * rest];
        for (int line = 0; line < rest; line++)
            for (int k = 0; k < nxh; k++)
            {
                half[2 * (line * nxh + k)] = c[2 * (line * nx + k)];
                half[2 * (line * nxh + k) + 1] = c[2 * (line * nx + k) + 1];
            }
        return half;
    }

    /// <summary>Full complex DFT (forward, sign −1) of an interleaved 1-D signal.</summary>
    public static double[] Complex1D(double[] data, int sign) => Axis(data, [data.Length / 2], 0, sign);

    /// <summary>max |a − b| / max |b|.</summary>
    public static double RelativeError<T>(ReadOnlySpan<T> actual, ReadOnlySpan<double> reference)
        where T : System.Numerics.INumberBase<T>
    {
        Assert.Equal(reference.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(double.CreateChecked(actual[i]) - reference[i]));
            maxRef = Math.Max(maxRef, Math.Abs(reference[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /// <summary>Reproducible uniform values in [−1, 1).</summary>
    public static double[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = 2 * rng.NextDouble() - 1;
        return v;
    }
}
