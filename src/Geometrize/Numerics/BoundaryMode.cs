namespace Geometrize.Numerics;

/// <summary>
/// What linear interpolation (and its adjoint) reads for grid neighbours outside <c>[0, N−1]</c> along an axis.
/// Sampling points are continuous voxel indices of the sampled field.
/// </summary>
public enum BoundaryMode
{
    /// <summary>
    /// Neighbours outside the grid are 0. The value fades linearly to 0 across the half-open cells
    /// <c>(−1, 0)</c> and <c>(N−1, N)</c> and is 0 beyond; the derivative w.r.t. the point sees that ramp.
    /// Natural for transporting images over a zero background.
    /// </summary>
    Zero,

    /// <summary>
    /// Neighbour indices are clamped to <c>[0, N−1]</c> (the value outside equals the nearest border value,
    /// with zero derivative along that axis). Natural for maps and displacement fields.
    /// </summary>
    Border,

    /// <summary>Neighbour indices wrap modulo N (the grid tiles space with period N voxels).</summary>
    Periodic,
}
