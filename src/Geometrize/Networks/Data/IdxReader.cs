using System.Buffers.Binary;
using System.IO.Compression;

namespace Geometrize.Networks.Data;

/// <summary>An unsigned-byte array read from an IDX file: its extents (item count first) and the raw values.</summary>
public sealed class IdxArray
{
    internal IdxArray(int[] dimensions, byte[] data, int storedCount)
    {
        Dimensions = dimensions;
        Data = data;
        StoredCount = storedCount;
    }

    /// <summary>Number of items the file holds according to its header (more than were read after a limited read).</summary>
    public int StoredCount { get; }

    /// <summary>Extents, outermost (the item count) first; after a limited read the first extent is the number read.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Values in the file's order (last extent fastest).</summary>
    public byte[] Data { get; }
}

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST: a big-endian magic (two zero bytes, a type code, the
/// rank), big-endian int32 extents, then the values. Files may be gzip-compressed; that is detected from the
/// first bytes, not the extension. Only unsigned bytes (type 0x08) are supported, which is what these sets use.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic of an IDX file of unsigned-byte images (rank 3: count × rows × columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic of an IDX file of unsigned-byte labels (rank 1: count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Largest number of values one file may claim; larger claims are treated as a corrupt header.</summary>
    public const long MaxValues = 1L << 31;

    /// <summary>Largest number of values one item (one image) may claim.</summary>
    public const int MaxItemValues = 1 << 24;

    /// <summary>Reads a rank-3 unsigned-byte file (images), at most <paramref name="limit"/> items when it is non-negative.</summary>
    public static IdxArray ReadImages(string path, int limit = -1) => Read(path, ImagesMagic, limit);

    /// <summary>Reads a rank-1 unsigned-byte file (labels), at most <paramref name="limit"/> items when it is non-negative.</summary>
    public static IdxArray ReadLabels(string path, int limit = -1) => Read(path, LabelsMagic, limit);

    /// <summary>
    /// Reads an IDX file whose magic must equal <paramref name="expectedMagic"/>, keeping the first
    /// <paramref name="limit"/> items (all when negative). Any problem raises <see cref="DataFormatException"/>
    /// naming the file.
    /// </summary>
    public static IdxArray Read(string path, int expectedMagic, int limit = -1)
    {
        if ((expectedMagic & ~0xff) != 0x0800 || (expectedMagic & 0xff) == 0)
            throw new ArgumentException($"0x{expectedMagic:X8} is not the magic of an unsigned-byte IDX array of rank ≥ 1 (0x000008RR).", nameof(expectedMagic));
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e) { throw new DataFormatException(path, "not found.", e); }
        catch (DirectoryNotFoundException e) { throw new DataFormatException(path, "not found (the folder does not exist).", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, "cannot be read (permission denied).", e); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot be opened: {e.Message}", e); }
        using (fs)
        {
            try
            {
                return ReadFrom(fs, path, expectedMagic, limit);
            }
            catch (InvalidDataException e) { throw new DataFormatException(path, $"the gzip stream is corrupt: {e.Message}", e); }
            catch (IOException e) { throw new DataFormatException(path, $"read failed: {e.Message}", e); }
        }
    }

    private static IdxArray ReadFrom(FileStream fs, string path, int expectedMagic, int limit)
    {
        Span<byte> head = stackalloc byte[4];
        int got = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (got < 2)
            throw new DataFormatException(path, $"truncated: {got} bytes, too short for an IDX header.");
        bool gz = head[0] == 0x1f && head[1] == 0x8b;
        fs.Position = 0;
        Stream s = gz ? new BufferedStream(new GZipStream(fs, CompressionMode.Decompress), 1 << 16) : fs;
        long? available = gz ? null : fs.Length;

        if (s.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
            throw new DataFormatException(path, "truncated: the 4-byte IDX magic is incomplete.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(head);
        if (magic != expectedMagic)
        {
            string what = expectedMagic == ImagesMagic ? "IDX unsigned-byte images" : expectedMagic == LabelsMagic ? "IDX unsigned-byte labels" : "IDX";
            string hint = magic == LabelsMagic ? " (this is a label file)" : magic == ImagesMagic ? " (this is an image file)" : "";
            throw new DataFormatException(path, $"wrong magic 0x{magic:X8}{hint}; expected 0x{expectedMagic:X8} ({what}). Check that images and labels are not swapped and the file is an IDX file.");
        }
        int rank = expectedMagic & 0xff;
        Span<byte> dimBytes = stackalloc byte[4 * 255];
        dimBytes = dimBytes[..(4 * rank)];
        if (s.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false) < dimBytes.Length)
            throw new DataFormatException(path, $"truncated: the header should hold {rank} extents.");
        var dims = new int[rank];
        long itemValues = 1;
        for (int a = 0; a < rank; a++)
        {
            dims[a] = BinaryPrimitives.ReadInt32BigEndian(dimBytes[(4 * a)..]);
            if (dims[a] < 1)
                throw new DataFormatException(path, $"extent {a} is {dims[a]}; every extent must be positive (corrupt header).");
            if (a > 0) itemValues *= dims[a];
        }
        if (itemValues > MaxItemValues || (long)dims[0] * itemValues > MaxValues)
            throw new DataFormatException(path, $"extents {string.Join('x', dims)} exceed what Geometrize will read ({MaxItemValues} values per item, {MaxValues} in all); the header is corrupt.");
        int items = limit < 0 ? dims[0] : Math.Min(limit, dims[0]);
        long bytes = items * itemValues;
        long headerBytes = 4 + 4L * rank;
        if (available is long a2 && a2 - headerBytes < dims[0] * itemValues)
            throw new DataFormatException(path, $"truncated: the header claims {string.Join('x', dims)} = {dims[0] * itemValues} bytes of data but only {Math.Max(0, a2 - headerBytes)} follow.");
        byte[] data = ReadBounded(s, (int)bytes, available.HasValue, path);
        int stored = dims[0];
        dims[0] = items;
        return new IdxArray(dims, data, stored);
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes. From a decompressing stream the buffer grows only as data
    /// arrives, so a corrupt size claim in a small file cannot force a huge allocation.
    /// </summary>
    private static byte[] ReadBounded(Stream s, int count, bool sizeKnown, string path)
    {
        var buf = new byte[sizeKnown ? count : Math.Min(count, 1 << 20)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buf.Length) Array.Resize(ref buf, (int)Math.Min(count, 2L * buf.Length));
            int n = s.Read(buf, filled, buf.Length - filled);
            if (n <= 0)
                throw new DataFormatException(path, $"truncated: {count} data bytes expected, only {filled} present.");
            filled += n;
        }
        return buf;
    }
}
