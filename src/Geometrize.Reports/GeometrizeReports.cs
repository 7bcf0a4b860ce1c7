using Geometrize.Imaging;
using Geometrize.Reports.Png;

namespace Geometrize.Reports;

/// <summary>Start-up hooks of the reporting library.</summary>
public static class GeometrizeReports
{
    /// <summary>
    /// Registers the image formats this library adds to <see cref="ImageIO"/> (PNG). The core library does not
    /// depend on ImageSharp, so the CLI and the tests call this once at start-up; calling it again is harmless.
    /// </summary>
    public static void RegisterFormats() => ImageIO.Register(new PngImageFormat());
}
