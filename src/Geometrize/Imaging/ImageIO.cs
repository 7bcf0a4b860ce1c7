namespace Geometrize.Imaging;

/// <summary>
/// Reads and writes images by file name, dispatching to the registered <see cref="IImageFormat"/>s.
/// </summary>
public static class ImageIO
{
    private static readonly List<IImageFormat> Formats = [.. BuiltInFormats()];
    private static readonly object Gate = new();

    /// <summary>Formats built into the core library.</summary>
    private static IEnumerable<IImageFormat> BuiltInFormats()
    {
        yield return new Nifti.NiftiFormat();
        yield return new MetaImage.MetaImageFormat();
    }

    /// <summary>Adds a format (e.g. PNG from Geometrize.Reports); a format with the same name is replaced.</summary>
    public static void Register(IImageFormat format)
    {
        lock (Gate)
        {
            Formats.RemoveAll(f => f.Name == format.Name);
            Formats.Add(format);
        }
    }

    /// <summary>The registered formats.</summary>
    public static IReadOnlyList<IImageFormat> RegisteredFormats { get { lock (Gate) return Formats.ToArray(); } }

    /// <summary>The format that handles <paramref name="path"/> by its extension, or an error listing the known ones.</summary>
    public static IImageFormat FormatFor(string path)
    {
        string lower = path.ToLowerInvariant();
        lock (Gate)
        {
            IImageFormat? best = null;
            int bestLen = 0;
            foreach (var f in Formats)
                foreach (var e in f.Extensions)
                    if (lower.EndsWith(e, StringComparison.Ordinal) && e.Length > bestLen) { best = f; bestLen = e.Length; }
            if (best != null) return best;
            string known = string.Join(", ", Formats.SelectMany(f => f.Extensions));
            throw new ImageFormatException(path, $"unknown image file extension; supported: {known}.");
        }
    }

    /// <summary>Reads an image, choosing the format by extension.</summary>
    public static Image Read(string path)
    {
        if (!File.Exists(path)) throw new ImageFormatException(path, "file not found.");
        return FormatFor(path).Read(path);
    }

    /// <summary>Writes an image, choosing the format by extension; nothing is left behind on failure.</summary>
    public static void Write(Image image, string path, ImageWriteOptions? options = null)
        => FormatFor(path).Write(image, path, options ?? ImageWriteOptions.Default);

    /// <summary>
    /// The largest voxel count a reader will allocate: what fits in a quarter of the memory the runtime can use,
    /// as float32, so a corrupt header cannot make the process allocate absurd amounts.
    /// </summary>
    public static long MaxVoxels
    {
        get
        {
            long avail = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            if (avail <= 0) avail = 4L << 30;
            return Math.Min(int.MaxValue, avail / 4 / sizeof(float));
        }
    }
}
