using System.Numerics;

namespace Geometrize.Numerics;

/// <summary>Argument checks shared by the kernels, so every kernel reports mismatches with the same wording.</summary>
internal static class FieldRequirements
{
    public static void SameGrid(ImageGeometry a, ImageGeometry b, string what)
    {
        if (!ReferenceEquals(a, b)) a.RequireSameGrid(b, what);
    }

    public static void Components<T>(VectorField<T> v, int expected, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (v.Components != expected)
            throw new GridMismatchException($"{name} has {v.Components} components but {expected} are needed here.");
    }

    public static void NotAliased<T>(T[] a, T[] b, string what)
    {
        if (ReferenceEquals(a, b)) throw new InvalidParameterException(what, "input and output share storage; pass a separate output buffer.");
    }
}
