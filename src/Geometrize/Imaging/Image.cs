using Geometrize.Numerics;

namespace Geometrize.Imaging;

/// <summary>
/// An image as read from or written to a file: a grid, one or more components per voxel and float32 values
/// (component-major, like <see cref="VectorField{T}"/>). <see cref="SourceType"/> remembers the stored type so
/// that a conversion can keep it. Integer types are held exactly up to 2^24 in magnitude.
/// </summary>
public sealed class Image
{
    /// <summary>Creates an image over <paramref name="data"/> (not copied).</summary>
    public Image(ImageGeometry geometry, float[] data, int components = 1, PixelType sourceType = PixelType.Float32)
    {
        if (components < 1) throw new InvalidParameterException("components", $"must be at least 1, got {components}.");
        if (data.Length != (long)geometry.Count * components)
            throw new GridMismatchException($"image data has {data.Length} values but {components} component(s) on {geometry} need {(long)geometry.Count * components}.");
        Geometry = geometry;
        Data = data;
        Components = components;
        SourceType = sourceType;
    }

    /// <summary>A scalar image wrapping a float field's storage.</summary>
    public static Image FromField(ScalarField<float> field) => new(field.Geometry, field.Data);

    /// <summary>A vector image (e.g. a displacement) wrapping a float vector field's storage.</summary>
    public static Image FromField(VectorField<float> field) => new(field.Geometry, field.Data, field.Components);

    /// <summary>Physical layout.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>Voxel values, component-major.</summary>
    public float[] Data { get; }
    /// <summary>Components per voxel (1 for scalar images).</summary>
    public int Components { get; }
    /// <summary>The pixel type the image was stored with (or should be written with by default).</summary>
    public PixelType SourceType { get; set; }
    /// <summary>Spatial dimension.</summary>
    public int Dimension => Geometry.Dimension;

    /// <summary>The first (or only) component as a scalar field sharing storage when the image is scalar.</summary>
    public ScalarField<float> AsScalarField() =>
        Components == 1 ? new ScalarField<float>(Geometry, Data) : new ScalarField<float>(Geometry, Data.AsSpan(0, Geometry.Count).ToArray());

    /// <summary>The components as a vector field sharing storage.</summary>
    public VectorField<float> AsVectorField() => new(Geometry, Data, Components);

    /// <summary>Minimum, maximum and mean over finite values of every component (reductions in double).</summary>
    public (double Min, double Max, double Mean) Statistics()
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long n = 0;
        foreach (float v in Data)
        {
            if (!float.IsFinite(v)) continue;
            if (v < min) min = v;
            if (v > max) max = v;
            sum += v;
            n++;
        }
        return n == 0 ? (double.NaN, double.NaN, double.NaN) : (min, max, sum / n);
    }

    /// <summary>Throws when any value is NaN or infinite, naming <paramref name="what"/> (a file or option).</summary>
    public void RequireFinite(string what)
    {
        int i = Array.FindIndex(Data, v => !float.IsFinite(v));
        if (i >= 0)
            throw new GeometrizeException($"{what}: contains a non-finite value ({Data[i]}) at voxel {i % Geometry.Count}; fix or mask the image before using it.");
    }
}
