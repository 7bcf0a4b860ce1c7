using System.Text;
using System.Text.Json;
using Geometrize.Networks.Data;

namespace Geometrize.Networks.Serialization;

/// <summary>
/// Parses and validates the JSON header of a safetensors file. Kept apart from the file type because every field
/// of an untrusted header needs its own check and message.
/// </summary>
internal static class SafeTensorsHeader
{
    private static readonly string[] DTypeNames = Enum.GetNames<SafeTensorsDType>();
    private static readonly SafeTensorsDType[] DTypeValues = Enum.GetValues<SafeTensorsDType>();

    /// <summary>One array's header entry: offsets are relative to the data region.</summary>
    internal sealed record Entry(string Name, SafeTensorsDType DType, int[] Shape, ulong Begin, ulong End);

    /// <summary>Parses the header bytes (without the 8-byte length) into entries in file order and the metadata map.</summary>
    public static List<Entry> Parse(ReadOnlyMemory<byte> header, string source, out Dictionary<string, string> metadata)
    {
        ReadOnlySpan<byte> span = header.Span;
        try { SafeTensorsFile.StrictUtf8.GetCharCount(span); }
        catch (DecoderFallbackException e) { throw new DataFormatException(source, "the header is not valid UTF-8; the file is corrupt or not a safetensors file.", e); }
        if (span.Length == 0 || span[0] != (byte)'{')
            throw new DataFormatException(source, "the header does not start with '{'; the file is corrupt or not a safetensors file.");

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, $"the header is not valid JSON ({e.Message}).", e);
        }
        using (doc)
        try
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(source, "the header is not a JSON object.");
            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in root.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw new DataFormatException(source, $"the header names '{prop.Name}' twice.");
                if (prop.Name == SafeTensorsFile.MetadataKey)
                    ReadMetadata(prop.Value, metadata, source);
                else
                    entries.Add(ReadEntry(prop.Name, prop.Value, source));
            }
            return entries;
        }
        catch (InvalidOperationException e)
        {
            // JsonElement string accessors throw this for escapes that decode to invalid UTF-16 (lone surrogates).
            throw new DataFormatException(source, $"the header holds a name or string that is not valid text ({e.Message}).", e);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(source, $"'{SafeTensorsFile.MetadataKey}' must be an object mapping strings to strings, got {value.ValueKind}.");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new DataFormatException(source, $"metadata '{kv.Name}' is a {kv.Value.ValueKind}; safetensors metadata values must be strings.");
            if (!metadata.TryAdd(kv.Name, kv.Value.GetString()!))
                throw new DataFormatException(source, $"metadata names '{kv.Name}' twice.");
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, string source)
    {
        if (name.Length == 0)
            throw new DataFormatException(source, "an array has an empty name.");
        if (value.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(source, $"array '{name}': expected an object with dtype, shape and data_offsets, got {value.ValueKind}.");
        if (!value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new DataFormatException(source, $"array '{name}' has no \"dtype\" string.");
        string dtName = dt.GetString()!;
        // Exact names only: Enum.TryParse would also take " F32", "6" or "F32,F64".
        int dtIndex = Array.IndexOf(DTypeNames, dtName);
        SafeTensorsDType dtype = dtIndex >= 0 ? DTypeValues[dtIndex] : default;
        if (dtIndex < 0)
            throw new DataFormatException(source, $"array '{name}' has dtype '{dtName}', which Geometrize does not read (supported: {string.Join(", ", Enum.GetNames<SafeTensorsDType>())}).");

        if (!value.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new DataFormatException(source, $"array '{name}' has no \"shape\" array.");
        var shape = new int[sh.GetArrayLength()];
        int k = 0;
        foreach (var e in sh.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int extent) || extent < 0)
                throw new DataFormatException(source, $"array '{name}': shape entry {e.GetRawText()} is not a non-negative integer below 2³¹.");
            shape[k++] = extent;
        }
        long count = NamedArray.CheckedCount(shape, out string? error);
        if (error != null) throw new DataFormatException(source, $"array '{name}': {error}");

        if (!value.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new DataFormatException(source, $"array '{name}' needs \"data_offsets\": [begin, end].");
        ulong begin = Offset(off[0], name, source), end = Offset(off[1], name, source);
        if (end < begin)
            throw new DataFormatException(source, $"array '{name}' has data_offsets [{begin}, {end}] with end before begin.");
        ulong expected = (ulong)count * (ulong)NamedArray.SizeOf(dtype);
        if (end - begin != expected)
            throw new DataFormatException(source, $"array '{name}' of type {dtype} and shape [{string.Join(',', shape)}] needs {expected} bytes but its data_offsets [{begin}, {end}] span {end - begin}.");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static ulong Offset(JsonElement e, string name, string source)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetUInt64(out ulong v))
            throw new DataFormatException(source, $"array '{name}': data offset {e.GetRawText()} is not a non-negative integer.");
        return v;
    }
}
