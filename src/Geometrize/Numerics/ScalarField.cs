using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>
/// A scalar function sampled on a grid (an image, a Jacobian determinant, a scalar momentum).
/// Values are stored contiguously x-fastest; <typeparamref name="T"/> is float (default) or double (gradient tests).
/// </summary>
public sealed class ScalarField<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A zero field on <paramref name="geometry"/>.</summary>
    public ScalarField(ImageGeometry geometry) : this(geometry, new T[geometry.Count]) { }

    /// <summary>Wraps <paramref name="data"/> (not copied); its length must equal the voxel count.</summary>
    public ScalarField(ImageGeometry geometry, T[] data)
    {
        if (data.Length != geometry.Count)
            throw new GridMismatchException($"data has {data.Length} values but the grid {geometry} has {geometry.Count} voxels.");
        Geometry = geometry;
        Data = data;
    }

    /// <summary>The grid the values live on.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>The values, x-fastest.</summary>
    public T[] Data { get; }
    /// <summary>The values as a span.</summary>
    public Span<T> Span => Data;
    /// <summary>Number of voxels.</summary>
    public int Count => Data.Length;

    /// <summary>Value at voxel (x, y, z).</summary>
    public ref T this[int x, int y, int z = 0] => ref Data[Geometry.Index(x, y, z)];

    /// <summary>A deep copy.</summary>
    public ScalarField<T> Clone() => new(Geometry, (T[])Data.Clone());

    /// <summary>Copies the values into a field of another precision.</summary>
    public ScalarField<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        var r = new ScalarField<TOut>(Geometry);
        for (int i = 0; i < Data.Length; i++) r.Data[i] = TOut.CreateTruncating(Data[i]);
        return r;
    }
}
