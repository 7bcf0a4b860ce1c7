using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Networks.Data;

namespace Geometrize.Networks.Serialization;

/// <summary>
/// A set of named arrays in the safetensors format, the weight format PyTorch and Hugging Face exchange:
/// an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
/// <c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces, then the data region, where each array's little-endian bytes lie at
/// [begin, end) relative to the region's start. Writing sorts arrays by name, packs them without gaps and pads
/// the header so the data region starts on an 8-byte boundary. Reading checks everything a corrupt or hostile
/// file could get wrong and raises <see cref="DataFormatException"/> naming the file.
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>The reserved header key of the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted (the reference implementation's limit): larger claims are corrupt files.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly NamedArray[] _arrays;
    private readonly Dictionary<string, NamedArray> _byName;
    private readonly SortedDictionary<string, string> _metadata;

    /// <summary>
    /// Collects <paramref name="arrays"/> (names must be distinct) and optional <paramref name="metadata"/>;
    /// <paramref name="source"/> names the file in later error messages.
    /// </summary>
    public SafeTensorsFile(IEnumerable<NamedArray> arrays, IReadOnlyDictionary<string, string>? metadata = null, string source = "(in memory)")
    {
        ArgumentNullException.ThrowIfNull(arrays);
        _arrays = arrays.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray();
        _byName = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var a in _arrays)
            if (!_byName.TryAdd(a.Name, a))
                throw new InvalidParameterException("arrays", $"the name '{a.Name}' appears twice; safetensors names must be unique.");
        _metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (metadata != null)
            foreach (var kv in metadata)
                _metadata[kv.Key] = kv.Value ?? throw new InvalidParameterException("metadata", $"the value of '{kv.Key}' is null; metadata values are strings.");
        Source = source;
    }

    /// <summary>The file this set was read from or will be attributed to in errors.</summary>
    public string Source { get; }

    /// <summary>The arrays, sorted by name (ordinal).</summary>
    public IReadOnlyList<NamedArray> Arrays => _arrays;

    /// <summary>The metadata map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>The array called <paramref name="name"/>; a missing name raises an error listing the names present.</summary>
    public NamedArray this[string name] => _byName.TryGetValue(name, out var a) ? a
        : throw new DataFormatException(Source, $"has no array '{name}'; it holds {(_arrays.Length == 0 ? "none" : string.Join(", ", _arrays.Select(x => $"'{x.Name}'")))}.");

    /// <summary>Looks an array up by name.</summary>
    public bool TryGet(string name, out NamedArray array) => _byName.TryGetValue(name, out array!);

    /// <summary>Reads and validates a safetensors file.</summary>
    public static SafeTensorsFile Read(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long length = fs.Length;
            if (length < 8)
                throw new DataFormatException(path, $"truncated: {length} bytes, shorter than the 8-byte header length of a safetensors file.");
            Span<byte> prefix = stackalloc byte[8];
            fs.ReadExactly(prefix);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            CheckHeaderLength(n, length, path);
            if (length > Array.MaxLength)
                throw new DataFormatException(path, $"is {length} bytes; Geometrize reads safetensors files up to {Array.MaxLength} bytes.");
            var bytes = new byte[length];
            prefix.CopyTo(bytes);
            fs.ReadExactly(bytes, 8, (int)(length - 8));
            return Parse(bytes, path);
        }
        catch (FileNotFoundException e) { throw new DataFormatException(path, "not found.", e); }
        catch (DirectoryNotFoundException e) { throw new DataFormatException(path, "not found (the folder does not exist).", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, "cannot be read (permission denied).", e); }
        catch (EndOfStreamException e) { throw new DataFormatException(path, "truncated while reading (did the file change during the read?).", e); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot be read: {e.Message}", e); }
    }

    /// <summary>
    /// Parses a whole file held in memory. The arrays keep slices of <paramref name="bytes"/> (no copy), so the
    /// caller must not modify the buffer afterwards.
    /// </summary>
    public static SafeTensorsFile Parse(ReadOnlyMemory<byte> bytes, string source)
    {
        ReadOnlySpan<byte> all = bytes.Span;
        if (all.Length < 8)
            throw new DataFormatException(source, $"truncated: {all.Length} bytes, shorter than the 8-byte header length of a safetensors file.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(all);
        CheckHeaderLength(n, all.Length, source);
        int headerLength = (int)n;
        ReadOnlyMemory<byte> data = bytes[(8 + headerLength)..];
        var entries = SafeTensorsHeader.Parse(bytes.Slice(8, headerLength), source, out var metadata);
        CheckCoverage(entries, data.Length, source);
        var arrays = new List<NamedArray>(entries.Count);
        foreach (var e in entries)
            arrays.Add(new NamedArray(e.Name, e.DType, e.Shape, data[(int)e.Begin..(int)e.End]));
        return new SafeTensorsFile(arrays, metadata, source);
    }

    private static void CheckHeaderLength(ulong n, long fileLength, string source)
    {
        if (n > MaxHeaderBytes)
            throw new DataFormatException(source, $"header length {n} exceeds the {MaxHeaderBytes}-byte limit of safetensors; the file is corrupt or not a safetensors file.");
        if ((long)n > fileLength - 8)
            throw new DataFormatException(source, $"header length {n} goes beyond the end of the file ({fileLength} bytes); the file is truncated or not a safetensors file.");
        if (n < 2)
            throw new DataFormatException(source, $"header length {n} is too small for a JSON object; the file is corrupt.");
    }

    /// <summary>
    /// The arrays must tile the data region exactly: sorted by offset, each starts where the previous ends, the
    /// first at 0 and the last at the region's end. Gaps would hide data, overlaps alias two arrays.
    /// </summary>
    private static void CheckCoverage(List<SafeTensorsHeader.Entry> entries, int dataLength, string source)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        ulong expected = 0;
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw new DataFormatException(source, $"array '{e.Name}' at data_offsets [{e.Begin}, {e.End}] overlaps the previous array (which ends at {expected}).");
            if (e.Begin > expected)
                throw new DataFormatException(source, $"the data region has a gap: bytes [{expected}, {e.Begin}) belong to no array (next is '{e.Name}').");
            if (e.End > (ulong)dataLength)
                throw new DataFormatException(source, $"array '{e.Name}' at data_offsets [{e.Begin}, {e.End}] goes beyond the {dataLength}-byte data region; the file is truncated.");
            expected = e.End;
        }
        if (expected != (ulong)dataLength)
            throw new DataFormatException(source, $"the arrays cover {expected} bytes but the data region holds {dataLength}; the offsets do not account for the whole file.");
    }

    /// <summary>Writes the file atomically (temporary file, then rename), so a failure never leaves a partial model.</summary>
    public void Write(string path)
    {
        byte[] header = BuildHeader();
        AtomicFile.Write(path, s => WriteBody(s, header));
    }

    /// <summary>Writes the file to a stream.</summary>
    public void WriteTo(Stream stream) => WriteBody(stream, BuildHeader());

    /// <summary>The file's bytes.</summary>
    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return ms.ToArray();
    }

    private void WriteBody(Stream s, byte[] header)
    {
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        s.Write(len);
        s.Write(header);
        foreach (var a in _arrays) s.Write(a.Bytes.Span);
    }

    /// <summary>Compact JSON header (metadata first, then arrays by name) padded with spaces to 8-byte alignment.</summary>
    private byte[] BuildHeader()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (_metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var kv in _metadata) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var a in _arrays)
            {
                w.WriteStartObject(a.Name);
                w.WriteString("dtype", a.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int e in a.Shape) w.WriteNumberValue(e);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += a.Bytes.Length;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int raw = (int)ms.Length;
        int padded = (raw + 7) / 8 * 8;
        for (int i = raw; i < padded; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Source}: {_arrays.Length} arrays, {_metadata.Count} metadata entries";

    internal static readonly UTF8Encoding StrictUtf8 = new(false, true);
}
