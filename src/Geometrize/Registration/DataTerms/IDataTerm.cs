using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Registration.DataTerms;

/// <summary>
/// A similarity term D(warped, target) between the warped moving image and the fixed image, with its gradient
/// with respect to the warped image. Energies are physical integrals (sums weighted by the voxel volume), so
/// values agree across pyramid levels.
/// </summary>
public interface IDataTerm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Name used in summaries (<c>ssd</c>, <c>ncc</c>, <c>lncc</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Returns D(warped, target); when <paramref name="gradient"/> is not null, writes ∂D/∂warped(x) per voxel
    /// (the Euclidean gradient w.r.t. the voxel values, voxel-volume weight included).
    /// </summary>
    double Evaluate(ScalarField<T> warped, ScalarField<T> target, ScalarField<T>? gradient);
}
