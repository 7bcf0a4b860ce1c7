using System.Numerics;
using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>The argument checks every registration problem's constructor starts with.</summary>
internal static class ProblemArguments
{
    /// <summary>
    /// Throws <see cref="ArgumentNullException"/> for a missing argument, the typed exception of
    /// <see cref="RegistrationSettings.Validate"/> for bad settings, and <see cref="GridMismatchException"/> unless the
    /// moving image has already been resampled onto the fixed image's grid.
    /// </summary>
    public static void Require<T>(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(fixedImage);
        ArgumentNullException.ThrowIfNull(movingImage);
        ArgumentNullException.ThrowIfNull(dataTerm);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        movingImage.Geometry.RequireSameGrid(fixedImage.Geometry, "the moving image (resampled) and the fixed image");
    }

    /// <summary>Throws <see cref="InvalidParameterException"/> naming <paramref name="option"/> when the image has a NaN or infinite voxel.</summary>
    public static void RequireFinite<T>(ScalarField<T> image, string option) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var value in image.Data)
            if (!T.IsFinite(value))
                throw new InvalidParameterException(option, "contains NaN or infinite voxels; fix or mask them before registering.");
    }
}
