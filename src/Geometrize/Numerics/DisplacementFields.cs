using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>
/// Displacement fields and index-space maps, and conversions between them.
/// </summary>
/// <remarks>
/// <para><b>Physical displacement</b> (ITK/ANTs convention, what is written to disk): a d-component field u on a grid G
/// holding LPS vectors in mm; the transform sends the physical point x of voxel i to x + u(x).</para>
/// <para><b>Index-space map</b> (what <see cref="Interpolation"/> consumes): a d-component field φ on G holding, at each
/// voxel, the continuous index in a sampled grid S of the point that voxel maps to:
/// φ(i) = PhysicalToIndex_S(IndexToPhysical_G(i) + u). Direction and spacing of both grids are applied.</para>
/// <para><b>Index displacement</b>: φ − Id on the same grid, i.e. u expressed in voxel units of G along G's axes
/// (M_G·u, with M_G = (Direction·diag(spacing))⁻¹).</para>
/// All kernels are parallel over rows and allocate only O(d²) constants per call.
/// </remarks>
public static class DisplacementFields
{
    /// <summary>Writes the identity map φ(i) = i into <paramref name="map"/>.</summary>
    public static void IdentityMap<T>(VectorField<T> map) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = map.Geometry;
        FieldRequirements.Components(map, g.Dimension, "identity map");
        int nx = g.Nx, ny = g.Ny, n = g.Count, d = g.Dimension;
        T[] m = map.Data;
        Parallelism.For(ny * g.Nz, nx * d, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                T y = T.CreateTruncating(r % ny), z = T.CreateTruncating(r / ny);
                for (int x = 0, i = r * nx; x < nx; x++, i++)
                {
                    m[i] = T.CreateTruncating(x);
                    m[n + i] = y;
                    if (d == 3) m[2 * n + i] = z;
                }
            }
        });
    }

    /// <summary>
    /// Converts a physical displacement u (on the grid of <paramref name="map"/>) into the index-space map into
    /// <paramref name="sampled"/>: φ(i) = PhysicalToIndex_S(IndexToPhysical_G(i) + u(i)).
    /// </summary>
    public static void PhysicalToIndexMap<T>(VectorField<T> displacement, ImageGeometry sampled, VectorField<T> map)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = displacement.Geometry;
        FieldRequirements.SameGrid(g, map.Geometry, "displacement and map");
        FieldRequirements.Components(displacement, g.Dimension, "displacement field");
        FieldRequirements.Components(map, g.Dimension, "map");
        if (sampled.Dimension != g.Dimension) throw new GridMismatchException($"the sampled grid ({sampled}) has another dimension than the displacement ({g}).");
        // φ = B·i + c + M·u with M = M_S, B = M_S·A_G, c = M_S·(O_G − O_S).
        int d = g.Dimension;
        var m = sampled.PhysicalToIndexMatrix.ToArray();
        var b = Multiply(m, g.IndexToPhysicalMatrix, d);
        var c = new double[d];
        for (int r = 0; r < d; r++)
            for (int k = 0; k < d; k++) c[r] += m[r * d + k] * (g.Origin[k] - sampled.Origin[k]);
        ApplyAffine(displacement.Data, map.Data, g, b, c, m);
    }

    /// <summary>
    /// Converts an index-space map into <paramref name="sampled"/> back into a physical displacement on the map's grid:
    /// u(i) = IndexToPhysical_S(φ(i)) − IndexToPhysical_G(i).
    /// </summary>
    public static void IndexMapToPhysical<T>(VectorField<T> map, ImageGeometry sampled, VectorField<T> displacement)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = map.Geometry;
        FieldRequirements.SameGrid(g, displacement.Geometry, "map and displacement");
        FieldRequirements.Components(displacement, g.Dimension, "displacement field");
        FieldRequirements.Components(map, g.Dimension, "map");
        if (sampled.Dimension != g.Dimension) throw new GridMismatchException($"the sampled grid ({sampled}) has another dimension than the map ({g}).");
        // u = A_S·φ + (O_S − O_G) − A_G·i.
        int d = g.Dimension;
        var aS = sampled.IndexToPhysicalMatrix.ToArray();
        var b = new double[d * d];
        var c = new double[d];
        for (int i = 0; i < d * d; i++) b[i] = -g.IndexToPhysicalMatrix[i];
        for (int r = 0; r < d; r++) c[r] = sampled.Origin[r] - g.Origin[r];
        ApplyAffine(map.Data, displacement.Data, g, b, c, aS);
    }

    /// <summary>Physical displacement → index displacement on the same grid: δ = M_G·u (voxel units along the grid axes).</summary>
    public static void PhysicalToIndexDisplacement<T>(VectorField<T> displacement, VectorField<T> indexDisplacement)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = displacement.Geometry;
        FieldRequirements.SameGrid(g, indexDisplacement.Geometry, "displacement and index displacement");
        FieldRequirements.Components(displacement, g.Dimension, "displacement field");
        FieldRequirements.Components(indexDisplacement, g.Dimension, "index displacement");
        int d = g.Dimension;
        ApplyAffine(displacement.Data, indexDisplacement.Data, g, new double[d * d], new double[d], g.PhysicalToIndexMatrix.ToArray());
    }

    /// <summary>Index displacement → physical displacement on the same grid: u = Direction·diag(spacing)·δ.</summary>
    public static void IndexToPhysicalDisplacement<T>(VectorField<T> indexDisplacement, VectorField<T> displacement)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = indexDisplacement.Geometry;
        FieldRequirements.SameGrid(g, displacement.Geometry, "index displacement and displacement");
        FieldRequirements.Components(displacement, g.Dimension, "displacement field");
        FieldRequirements.Components(indexDisplacement, g.Dimension, "index displacement");
        int d = g.Dimension;
        ApplyAffine(indexDisplacement.Data, displacement.Data, g, new double[d * d], new double[d], g.IndexToPhysicalMatrix.ToArray());
    }

    /// <summary>
    /// Composition of physical displacements on the grid of <paramref name="w"/>: result(x) = w(x) + u(x + w(x)), i.e.
    /// φ_result = φ_u ∘ φ_w (first w, then u). u may live on another grid; it is read by linear interpolation with
    /// <paramref name="mode"/> (Border by default: the displacement outside u's grid is its border value).
    /// <paramref name="result"/> may be <paramref name="w"/> itself but not <paramref name="u"/>.
    /// </summary>
    public static void Compose<T>(VectorField<T> u, VectorField<T> w, VectorField<T> result, BoundaryMode mode = BoundaryMode.Border)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = w.Geometry.Dimension;
        FieldRequirements.SameGrid(w.Geometry, result.Geometry, "composition input w and output");
        FieldRequirements.Components(u, d, "displacement u");
        FieldRequirements.Components(w, d, "displacement w");
        FieldRequirements.Components(result, d, "composition output");
        FieldRequirements.NotAliased(u.Data, result.Data, "composition");
        Resampling.SampleAtPhysical(u.Geometry, u.Data, d, w.Geometry, result.Data, w.Data, mode);
    }

    private static double[] Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int d)
    {
        var r = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                for (int k = 0; k < d; k++) r[i * d + j] += a[i * d + k] * b[k * d + j];
        return r;
    }

    /// <summary>out(i) = B·i + c + M·in(i) per voxel, with the index part evaluated per row in double.</summary>
    private static void ApplyAffine<T>(T[] input, T[] output, ImageGeometry g, double[] b, double[] c, double[] m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = g.Dimension, nx = g.Nx, ny = g.Ny, n = g.Count;
        var mT = new T[d * d];
        for (int i = 0; i < d * d; i++) mT[i] = T.CreateTruncating(m[i]);
        Parallelism.For(ny * g.Nz, (long)nx * d * (d + 2), (r0, r1) =>
        {
            Span<double> start = stackalloc double[3];
            Span<T> v = stackalloc T[3];
            for (int row = r0; row < r1; row++)
            {
                int y = row % ny, z = row / ny;
                for (int r = 0; r < d; r++) start[r] = c[r] + b[r * d + 1] * y + (d == 3 ? b[r * d + 2] * z : 0);
                for (int x = 0, i = row * nx; x < nx; x++, i++)
                {
                    for (int r = 0; r < d; r++)
                    {
                        T s = T.CreateTruncating(start[r] + b[r * d] * x);
                        for (int k = 0; k < d; k++) s += mT[r * d + k] * input[k * n + i];
                        v[r] = s;
                    }
                    // Written after all reads so that input and output may be the same buffer.
                    for (int r = 0; r < d; r++) output[r * n + i] = v[r];
                }
            }
        });
    }

    /// <summary>
    /// Departure points of a semi-Lagrangian step, q_a(x) = x_a − s_a·v_a(x) in continuous voxel indices, where
    /// s_a = dt/h_a turns a physical velocity into an index displacement and <paramref name="identity"/> holds x.
    /// </summary>
    /// <param name="identity">The identity map of the grid (<see cref="IdentityMap{T}"/>).</param>
    /// <param name="velocity">d velocity components on the grid, component-major (physical units).</param>
    /// <param name="stepOverSpacing">s_a = dt/h_a per axis.</param>
    /// <param name="points">Output q, d components.</param>
    public static void DeparturePoints<T>(VectorField<T> identity, ReadOnlySpan<T> velocity, ReadOnlySpan<T> stepOverSpacing, VectorField<T> points)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = identity.Geometry.Dimension, n = identity.Count;
        FieldRequirements.SameGrid(identity.Geometry, points.Geometry, "identity map and departure points");
        if (velocity.Length != d * n || stepOverSpacing.Length != d || points.Components != d)
            throw new GridMismatchException($"departure points need {d} velocity components and {d} step scales on {identity.Geometry}.");
        for (int a = 0; a < d; a++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(velocity.Slice(a * n, n), -stepOverSpacing[a], identity.Component(a), points.Component(a));
    }
}
