namespace Geometrize.Numerics;

/// <summary>
/// The physical layout of a regular 2-D or 3-D grid, as ITK defines it: size (voxels per axis), spacing,
/// origin (physical position of voxel 0) and direction cosines. Physical coordinates are LPS, as in ITK:
/// <c>p = origin + Direction · diag(spacing) · index</c>.
/// Voxels are stored x-fastest: linear index <c>x + Nx·(y + Ny·z)</c>.
/// </summary>
public sealed class ImageGeometry : IEquatable<ImageGeometry>
{
    private readonly int[] _size;
    private readonly double[] _spacing, _origin, _direction;
    // index → physical matrix (Direction · diag(spacing)) and its inverse, row-major d×d.
    private readonly double[] _indexToPhysical, _physicalToIndex;

    /// <summary>Creates a geometry and checks it: dimension 2 or 3, positive sizes and spacings, invertible direction.</summary>
    /// <param name="size">Voxels per axis (length 2 or 3).</param>
    /// <param name="spacing">Physical voxel size per axis, positive; null means 1.</param>
    /// <param name="origin">Physical position of the first voxel; null means 0.</param>
    /// <param name="direction">Row-major d×d direction cosines (columns are the axes' directions); null means identity.</param>
    public ImageGeometry(ReadOnlySpan<int> size, ReadOnlySpan<double> spacing = default, ReadOnlySpan<double> origin = default,
        ReadOnlySpan<double> direction = default)
    {
        int d = size.Length;
        if (d is < 2 or > 3) throw new InvalidParameterException("dimension", $"must be 2 or 3, got {d}.");
        if (!spacing.IsEmpty && spacing.Length != d) throw new InvalidParameterException("spacing", $"needs {d} values, got {spacing.Length}.");
        if (!origin.IsEmpty && origin.Length != d) throw new InvalidParameterException("origin", $"needs {d} values, got {origin.Length}.");
        if (!direction.IsEmpty && direction.Length != d * d) throw new InvalidParameterException("direction", $"needs {d * d} values, got {direction.Length}.");
        _size = size.ToArray();
        _spacing = spacing.IsEmpty ? Enumerable.Repeat(1.0, d).ToArray() : spacing.ToArray();
        _origin = origin.IsEmpty ? new double[d] : origin.ToArray();
        _direction = direction.IsEmpty ? Identity(d) : direction.ToArray();
        long count = 1;
        for (int a = 0; a < d; a++)
        {
            if (_size[a] < 1) throw new InvalidParameterException("size", $"axis {a} has {_size[a]} voxels; every axis needs at least 1.");
            count *= _size[a];
            if (count > int.MaxValue) throw new InvalidParameterException("size", $"{string.Join('x', _size)} has more than {int.MaxValue} voxels; Geometrize grids are limited to 2^31-1 voxels.");
            if (!(_spacing[a] > 0) || double.IsInfinity(_spacing[a])) throw new InvalidParameterException("spacing", $"axis {a} spacing is {_spacing[a]}; spacing must be positive and finite.");
            if (!double.IsFinite(_origin[a])) throw new InvalidParameterException("origin", $"axis {a} origin is {_origin[a]}; it must be finite.");
        }
        foreach (double v in _direction)
            if (!double.IsFinite(v)) throw new InvalidParameterException("direction", "contains a non-finite value.");
        Count = (int)count;
        _indexToPhysical = new double[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                _indexToPhysical[r * d + c] = _direction[r * d + c] * _spacing[c];
        _physicalToIndex = Invert(_indexToPhysical, d)
            ?? throw new InvalidParameterException("direction", "matrix is singular; it must be a rotation (orthonormal columns).");
    }

    /// <summary>A 2-D geometry with the given size and spacing, origin 0 and identity direction.</summary>
    public static ImageGeometry Create2D(int nx, int ny, double sx = 1, double sy = 1) => new([nx, ny], [sx, sy]);

    /// <summary>A 3-D geometry with the given size and spacing, origin 0 and identity direction.</summary>
    public static ImageGeometry Create3D(int nx, int ny, int nz, double sx = 1, double sy = 1, double sz = 1) => new([nx, ny, nz], [sx, sy, sz]);

    /// <summary>Spatial dimension, 2 or 3.</summary>
    public int Dimension => _size.Length;
    /// <summary>Total number of voxels.</summary>
    public int Count { get; }
    /// <summary>Voxels per axis.</summary>
    public ReadOnlySpan<int> Size => _size;
    /// <summary>Voxel size per axis in physical units (mm).</summary>
    public ReadOnlySpan<double> Spacing => _spacing;
    /// <summary>Physical position of voxel 0.</summary>
    public ReadOnlySpan<double> Origin => _origin;
    /// <summary>Row-major d×d direction cosines.</summary>
    public ReadOnlySpan<double> Direction => _direction;
    /// <summary>Voxels along x.</summary>
    public int Nx => _size[0];
    /// <summary>Voxels along y.</summary>
    public int Ny => _size[1];
    /// <summary>Voxels along z (1 for 2-D).</summary>
    public int Nz => _size.Length > 2 ? _size[2] : 1;
    /// <summary>True when the direction matrix is the identity (axis-aligned grid).</summary>
    public bool IsAxisAligned
    {
        get
        {
            int d = Dimension;
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                    if (Math.Abs(_direction[r * d + c] - (r == c ? 1 : 0)) > 1e-12) return false;
            return true;
        }
    }

    /// <summary>Linear (storage) index of voxel (x, y, z).</summary>
    public int Index(int x, int y, int z = 0) => x + _size[0] * (y + _size[1] * z);

    /// <summary>Maps a continuous index to a physical point.</summary>
    public void IndexToPhysical(ReadOnlySpan<double> index, Span<double> point)
    {
        int d = Dimension;
        for (int r = 0; r < d; r++)
        {
            double s = _origin[r];
            for (int c = 0; c < d; c++) s += _indexToPhysical[r * d + c] * index[c];
            point[r] = s;
        }
    }

    /// <summary>Maps a physical point to a continuous index.</summary>
    public void PhysicalToIndex(ReadOnlySpan<double> point, Span<double> index)
    {
        int d = Dimension;
        Span<double> rel = stackalloc double[3];
        for (int r = 0; r < d; r++) rel[r] = point[r] - _origin[r];
        for (int r = 0; r < d; r++)
        {
            double s = 0;
            for (int c = 0; c < d; c++) s += _physicalToIndex[r * d + c] * rel[c];
            index[r] = s;
        }
    }

    /// <summary>Row-major d×d matrix mapping index offsets to physical offsets (Direction · diag(spacing)).</summary>
    public ReadOnlySpan<double> IndexToPhysicalMatrix => _indexToPhysical;
    /// <summary>Row-major d×d inverse of <see cref="IndexToPhysicalMatrix"/>.</summary>
    public ReadOnlySpan<double> PhysicalToIndexMatrix => _physicalToIndex;

    /// <summary>
    /// A grid covering the same physical extent with a new size (pyramids): spacing scales by old/new size per axis
    /// and the origin moves so that voxel corners (not centres) stay aligned, as ITK's shrink filter does.
    /// </summary>
    public ImageGeometry Resized(ReadOnlySpan<int> newSize)
    {
        int d = Dimension;
        if (newSize.Length != d) throw new InvalidParameterException("size", $"needs {d} values, got {newSize.Length}.");
        var spacing = new double[d];
        var shift = new double[d];
        for (int a = 0; a < d; a++)
        {
            spacing[a] = _spacing[a] * _size[a] / newSize[a];
            // Continuous index (in the old grid) of the new voxel 0's centre.
            shift[a] = 0.5 * ((double)_size[a] / newSize[a] - 1);
        }
        var origin = new double[d];
        IndexToPhysical(shift, origin);
        return new ImageGeometry(newSize, spacing, origin, _direction);
    }

    /// <summary>True when size matches exactly and spacing, origin and direction agree within <paramref name="tolerance"/> (relative to spacing).</summary>
    public bool IsSameGrid(ImageGeometry other, double tolerance = 1e-5)
    {
        if (other.Dimension != Dimension) return false;
        double scale = _spacing.Max();
        for (int a = 0; a < Dimension; a++)
        {
            if (_size[a] != other._size[a]) return false;
            if (Math.Abs(_spacing[a] - other._spacing[a]) > tolerance * _spacing[a]) return false;
            if (Math.Abs(_origin[a] - other._origin[a]) > tolerance * scale) return false;
        }
        for (int i = 0; i < _direction.Length; i++)
            if (Math.Abs(_direction[i] - other._direction[i]) > tolerance) return false;
        return true;
    }

    /// <summary>Throws <see cref="GridMismatchException"/> naming both grids when they differ.</summary>
    public void RequireSameGrid(ImageGeometry other, string what = "grids")
    {
        if (!IsSameGrid(other))
            throw new GridMismatchException($"{what} do not share a grid: {this} vs {other}. Resample one onto the other first.");
    }

    /// <inheritdoc />
    public bool Equals(ImageGeometry? other) => other is not null && IsSameGrid(other, 1e-12);
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ImageGeometry);
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Dimension, Count, _size[0], _size[1]);

    /// <inheritdoc />
    public override string ToString()
    {
        string f(IEnumerable<double> v) => string.Join('x', v.Select(x => x.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)));
        return $"{string.Join('x', _size)} voxels, spacing {f(_spacing)}, origin {f(_origin)}";
    }

    internal static double[] Identity(int d)
    {
        var m = new double[d * d];
        for (int i = 0; i < d; i++) m[i * d + i] = 1;
        return m;
    }

    /// <summary>Inverts a small row-major matrix by Gauss–Jordan with partial pivoting; null when singular.</summary>
    internal static double[]? Invert(ReadOnlySpan<double> m, int d)
    {
        var a = m.ToArray();
        var inv = Identity(d);
        double norm = 0;
        foreach (double v in a) norm = Math.Max(norm, Math.Abs(v));
        for (int c = 0; c < d; c++)
        {
            int p = c;
            for (int r = c + 1; r < d; r++) if (Math.Abs(a[r * d + c]) > Math.Abs(a[p * d + c])) p = r;
            if (Math.Abs(a[p * d + c]) <= 1e-12 * norm) return null;
            if (p != c)
                for (int k = 0; k < d; k++)
                {
                    (a[p * d + k], a[c * d + k]) = (a[c * d + k], a[p * d + k]);
                    (inv[p * d + k], inv[c * d + k]) = (inv[c * d + k], inv[p * d + k]);
                }
            double piv = a[c * d + c];
            for (int k = 0; k < d; k++) { a[c * d + k] /= piv; inv[c * d + k] /= piv; }
            for (int r = 0; r < d; r++)
            {
                if (r == c) continue;
                double f = a[r * d + c];
                if (f == 0) continue;
                for (int k = 0; k < d; k++) { a[r * d + k] -= f * a[c * d + k]; inv[r * d + k] -= f * inv[c * d + k]; }
            }
        }
        return inv;
    }
}
