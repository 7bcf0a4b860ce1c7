namespace Geometrize.Networks.Data;

/// <summary>
/// A data or model file that cannot be read: missing, truncated, wrong magic, malformed header, inconsistent
/// sizes. The message always starts with the file name so the user knows which file to fix or replace.
/// </summary>
public class DataFormatException : GeometrizeException
{
    /// <summary>The file at fault.</summary>
    public string FileName { get; }
    /// <summary>What is wrong with it, and where possible what to do.</summary>
    public string Reason { get; }

    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    public DataFormatException(string fileName, string reason, Exception? inner = null)
        : base($"{fileName}: {reason}", inner)
    {
        FileName = fileName;
        Reason = reason;
    }
}
