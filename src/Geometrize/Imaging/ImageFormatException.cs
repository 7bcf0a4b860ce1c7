namespace Geometrize.Imaging;

/// <summary>
/// A file that cannot be read or written as an image: missing, truncated, wrong magic, corrupt compression,
/// absurd dimensions. The message always starts with the file name.
/// </summary>
public class ImageFormatException : GeometrizeException
{
    /// <summary>The file at fault.</summary>
    public string FileName { get; }
    /// <summary>What is wrong with it, and where possible what to do.</summary>
    public string Reason { get; }

    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    public ImageFormatException(string fileName, string reason, Exception? inner = null)
        : base($"{fileName}: {reason}", inner)
    {
        FileName = fileName;
        Reason = reason;
    }
}
