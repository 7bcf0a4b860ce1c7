using Geometrize.Imaging;
using Geometrize.Numerics;

namespace Geometrize.Tests.Imaging;

/// <summary>A temporary folder removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>Creates an empty folder under the system temp folder.</summary>
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "geometrize-io-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Synthetic images for round trips: non-identity direction and origin, values inside the type's range.</summary>
public static class ImageSamples
{
    /// <summary>Integer types whose whole range is exact in float32 are sampled over their whole range.</summary>
    public static (double Lo, double Hi) Range(PixelType t) => t switch
    {
        PixelType.UInt8 => (0, 255),
        PixelType.Int8 => (-128, 127),
        PixelType.Int16 => (short.MinValue, short.MaxValue),
        PixelType.UInt16 => (0, ushort.MaxValue),
        PixelType.Int32 or PixelType.Int64 => (-(1 << 24), 1 << 24),
        PixelType.UInt32 or PixelType.UInt64 => (0, 1 << 24),
        _ => (-1000, 1000),
    };

    /// <summary>Whether the type stores integers.</summary>
    public static bool IsInteger(PixelType t) => t is not (PixelType.Float32 or PixelType.Float64);

    /// <summary>A rotated, shifted geometry: 7×5 (2-D) or 6×5×4 (3-D).</summary>
    public static ImageGeometry Geometry(int dim, bool rotated = true)
    {
        if (dim == 2)
        {
            double c = Math.Cos(0.4), s = Math.Sin(0.4);
            return new ImageGeometry([7, 5], [0.7, 1.3], [-12.5, 3.25], rotated ? [c, -s, s, c] : default);
        }
        // Rotation about a skew axis: columns are orthonormal but no entry is 0.
        double[] r = RotationMatrix(0.5, [1, 2, 3]);
        return new ImageGeometry([6, 5, 4], [0.7, 1.3, 2.1], [-12.5, 3.25, 40], rotated ? r : default);
    }

    /// <summary>Row-major rotation by <paramref name="angle"/> about <paramref name="axis"/> (Rodrigues).</summary>
    public static double[] RotationMatrix(double angle, double[] axis)
    {
        double n = Math.Sqrt(axis.Sum(v => v * v));
        double x = axis[0] / n, y = axis[1] / n, z = axis[2] / n, c = Math.Cos(angle), s = Math.Sin(angle), t = 1 - c;
        return [t * x * x + c, t * x * y - s * z, t * x * z + s * y,
                t * x * y + s * z, t * y * y + c, t * y * z - s * x,
                t * x * z - s * y, t * y * z + s * x, t * z * z + c];
    }

    /// <summary>Random values in the type's range (integers for integer types, extremes included).</summary>
    public static Image Make(int dim, PixelType type, int components = 1, int seed = 1, bool rotated = true)
    {
        var g = Geometry(dim, rotated);
        var rng = new Random(seed);
        var (lo, hi) = Range(type);
        var data = new float[g.Count * components];
        for (int i = 0; i < data.Length; i++)
        {
            double v = lo + rng.NextDouble() * (hi - lo);
            data[i] = IsInteger(type) ? (float)Math.Round(v) : (float)v;
        }
        data[0] = (float)lo;
        data[^1] = (float)hi;
        return new Image(g, data, components, type);
    }

    /// <summary>Asserts equal geometry (within float32 header precision) and identical values.</summary>
    public static void AssertSame(Image expected, Image actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Dimension, actual.Dimension);
        Assert.Equal(expected.Components, actual.Components);
        Assert.True(expected.Geometry.IsSameGrid(actual.Geometry, tolerance), $"geometry {actual.Geometry} differs from {expected.Geometry}");
        Assert.Equal(expected.Data, actual.Data);
    }
}
