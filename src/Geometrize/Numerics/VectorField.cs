using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>
/// A vector-valued function on a grid (velocity, momentum, displacement, gradient), stored as a structure of
/// arrays in one contiguous buffer: component c occupies <c>[c·Count, (c+1)·Count)</c>. Kernels take the
/// component spans, so each component is a plain scalar image for SIMD loops.
/// </summary>
public sealed class VectorField<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A zero field with <paramref name="components"/> components (default: the grid dimension).</summary>
    public VectorField(ImageGeometry geometry, int components = 0)
        : this(geometry, new T[(long)geometry.Count * (components == 0 ? geometry.Dimension : components) is var n && n <= Array.MaxLength
            ? (int)n : throw new InvalidParameterException("size", "the vector field is larger than one array can hold.")],
            components == 0 ? geometry.Dimension : components) { }

    /// <summary>Wraps <paramref name="data"/> (not copied): <paramref name="components"/> blocks of the voxel count each.</summary>
    public VectorField(ImageGeometry geometry, T[] data, int components)
    {
        if (components < 1) throw new InvalidParameterException("components", $"must be at least 1, got {components}.");
        if (data.Length != (long)geometry.Count * components)
            throw new GridMismatchException($"data has {data.Length} values but {components} components on {geometry} need {(long)geometry.Count * components}.");
        Geometry = geometry;
        Data = data;
        Components = components;
    }

    /// <summary>The grid the vectors live on.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>All components, one after the other.</summary>
    public T[] Data { get; }
    /// <summary>Number of components (usually the grid dimension).</summary>
    public int Components { get; }
    /// <summary>Number of voxels.</summary>
    public int Count => Geometry.Count;
    /// <summary>All values as one span (components one after the other).</summary>
    public Span<T> Span => Data;

    /// <summary>Component <paramref name="c"/> as a span of <see cref="Count"/> values.</summary>
    public Span<T> Component(int c) => Data.AsSpan(c * Count, Count);

    /// <summary>Component <paramref name="c"/> as a scalar field sharing no storage (a copy).</summary>
    public ScalarField<T> ComponentCopy(int c) => new(Geometry, Component(c).ToArray());

    /// <summary>A deep copy.</summary>
    public VectorField<T> Clone() => new(Geometry, (T[])Data.Clone(), Components);

    /// <summary>Copies the values into a field of another precision.</summary>
    public VectorField<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        var r = new VectorField<TOut>(Geometry, Components);
        for (int i = 0; i < Data.Length; i++) r.Data[i] = TOut.CreateTruncating(Data[i]);
        return r;
    }
}
