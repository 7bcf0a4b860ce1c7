namespace Geometrize.Imaging;

/// <summary>Options for writing an image.</summary>
public sealed record ImageWriteOptions
{
    /// <summary>Stored pixel type; null means the format's default (float32 for NIfTI/MetaImage, uint8 for PNG).</summary>
    public PixelType? PixelType { get; init; }
    /// <summary>Compress the data where the format allows (MetaImage <c>.zraw</c>/<c>CompressedData</c>); <c>.gz</c> names always compress.</summary>
    public bool Compress { get; init; }
    /// <summary>Defaults: format default type, no optional compression.</summary>
    public static ImageWriteOptions Default { get; } = new();
}

/// <summary>
/// One image file format. Formats are found by file name (<see cref="Extensions"/>); the core library registers
/// NIfTI and MetaImage, and <c>Geometrize.Reports</c> adds PNG through <see cref="ImageIO.Register"/>.
/// </summary>
public interface IImageFormat
{
    /// <summary>Short name shown to users (<c>NIfTI</c>, <c>MetaImage</c>, <c>PNG</c>).</summary>
    string Name { get; }
    /// <summary>Lower-case file-name endings this format handles, longest first (<c>.nii.gz</c> before <c>.nii</c>).</summary>
    IReadOnlyList<string> Extensions { get; }
    /// <summary>Reads the image; throws <see cref="ImageFormatException"/> for any problem with the file.</summary>
    Image Read(string path);
    /// <summary>Writes the image without leaving a partial file behind on failure.</summary>
    void Write(Image image, string path, ImageWriteOptions options);
}
