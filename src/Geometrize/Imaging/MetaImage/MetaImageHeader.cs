using System.Globalization;
using System.Text;

namespace Geometrize.Imaging.MetaImage;

/// <summary>
/// The text header of a MetaImage (<c>Key = Value</c> lines ending with <c>ElementDataFile</c>), with typed,
/// checked access to its values. Keys are matched case-insensitively; a later repeat of a key wins.
/// </summary>
internal sealed class MetaImageHeader
{
    /// <summary>The most header text scanned for <c>ElementDataFile</c> before the file is declared not a MetaImage.</summary>
    public const int MaxHeaderBytes = 1 << 16;

    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _file;

    private MetaImageHeader(string file) => _file = file;

    /// <summary>Byte offset just after the <c>ElementDataFile</c> line (where <c>LOCAL</c> data begin).</summary>
    public long DataStart { get; private set; }

    /// <summary>Parses the header at the start of <paramref name="s"/>.</summary>
    public static MetaImageHeader Read(Stream s, string file)
    {
        var buf = new byte[(int)Math.Min(MaxHeaderBytes, s.Length)];
        int filled = 0;
        while (filled < buf.Length)
        {
            int n = s.Read(buf, filled, buf.Length - filled);
            if (n <= 0) break;
            filled += n;
        }
        var h = new MetaImageHeader(file);
        int pos = 0;
        while (pos < filled)
        {
            int nl = Array.IndexOf(buf, (byte)'\n', pos, filled - pos);
            if (nl < 0)
                throw new ImageFormatException(file, "truncated MetaImage header: no complete ElementDataFile line (it must be the last header line).");
            string line = Encoding.ASCII.GetString(buf, pos, nl - pos).TrimEnd('\r').Trim();
            pos = nl + 1;
            if (line.Length == 0) continue;
            int eq = line.IndexOf('=');
            if (eq <= 0)
                throw new ImageFormatException(file, $"not a MetaImage header: line '{Shorten(line)}' is not 'Key = Value'.");
            string key = line[..eq].Trim(), value = line[(eq + 1)..].Trim();
            foreach (char c in key)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                    throw new ImageFormatException(file, $"not a MetaImage header: key '{Shorten(key)}' contains '{c}'.");
            h._values[key] = value;
            if (key.Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase))
            {
                h.DataStart = pos;
                return h;
            }
        }
        throw new ImageFormatException(file, filled >= MaxHeaderBytes
            ? $"no ElementDataFile line in the first {MaxHeaderBytes} bytes; this is not a MetaImage header."
            : "truncated MetaImage header: the ElementDataFile line is missing.");
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>The raw value of the first present key among <paramref name="keys"/>, or null.</summary>
    public string? Get(params string[] keys)
    {
        foreach (var k in keys)
            if (_values.TryGetValue(k, out var v)) return v;
        return null;
    }

    /// <summary>A boolean (<c>True</c>/<c>False</c>, also 1/0); <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string key, bool fallback)
    {
        string? v = Get(key);
        if (v == null) return fallback;
        if (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1") return true;
        if (v.Equals("false", StringComparison.OrdinalIgnoreCase) || v == "0") return false;
        throw new ImageFormatException(_file, $"{key} = '{Shorten(v)}' is not True or False.");
    }

    /// <summary>An integer; <paramref name="fallback"/> when absent.</summary>
    public long Long(string key, long fallback)
    {
        string? v = Get(key);
        if (v == null) return fallback;
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long r))
            throw new ImageFormatException(_file, $"{key} = '{Shorten(v)}' is not an integer.");
        return r;
    }

    /// <summary>Exactly <paramref name="count"/> numbers from the first present key, or null when none is present.</summary>
    public double[]? Doubles(int count, params string[] keys)
    {
        foreach (var k in keys)
        {
            if (!_values.TryGetValue(k, out var v)) continue;
            var parts = v.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != count)
                throw new ImageFormatException(_file, $"{k} has {parts.Length} value(s), expected {count}.");
            var r = new double[count];
            for (int i = 0; i < count; i++)
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out r[i]) || !double.IsFinite(r[i]))
                    throw new ImageFormatException(_file, $"{k} value '{Shorten(parts[i])}' is not a finite number.");
            return r;
        }
        return null;
    }

    /// <summary>Exactly <paramref name="count"/> integers from <paramref name="key"/>, which must be present.</summary>
    public long[] Longs(string key, int count)
    {
        string v = Get(key) ?? throw new ImageFormatException(_file, $"the MetaImage header has no {key}.");
        var parts = v.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count)
            throw new ImageFormatException(_file, $"{key} has {parts.Length} value(s), expected {count}.");
        var r = new long[count];
        for (int i = 0; i < count; i++)
            if (!long.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out r[i]))
                throw new ImageFormatException(_file, $"{key} value '{Shorten(parts[i])}' is not an integer.");
        return r;
    }

    /// <summary>Pixel type of a MetaIO element type (<c>MET_LONG</c>/<c>MET_ULONG</c> are 4 bytes in MetaIO).</summary>
    public static PixelType TypeOf(string name, string file)
    {
        string n = name.ToUpperInvariant();
        if (n.EndsWith("_ARRAY", StringComparison.Ordinal)) n = n[..^6];
        return n switch
        {
            "MET_UCHAR" => PixelType.UInt8,
            "MET_CHAR" => PixelType.Int8,
            "MET_SHORT" => PixelType.Int16,
            "MET_USHORT" => PixelType.UInt16,
            "MET_INT" or "MET_LONG" => PixelType.Int32,
            "MET_UINT" or "MET_ULONG" => PixelType.UInt32,
            "MET_LONG_LONG" => PixelType.Int64,
            "MET_ULONG_LONG" => PixelType.UInt64,
            "MET_FLOAT" => PixelType.Float32,
            "MET_DOUBLE" => PixelType.Float64,
            _ => throw new ImageFormatException(file, $"unsupported ElementType '{Shorten(name)}'; Geometrize reads MET_UCHAR, MET_CHAR, MET_SHORT, MET_USHORT, MET_INT, MET_UINT, MET_LONG, MET_ULONG, MET_LONG_LONG, MET_ULONG_LONG, MET_FLOAT and MET_DOUBLE."),
        };
    }

    /// <summary>MetaIO element type name of a pixel type.</summary>
    public static string NameOf(PixelType t) => t switch
    {
        PixelType.UInt8 => "MET_UCHAR",
        PixelType.Int8 => "MET_CHAR",
        PixelType.Int16 => "MET_SHORT",
        PixelType.UInt16 => "MET_USHORT",
        PixelType.Int32 => "MET_INT",
        PixelType.UInt32 => "MET_UINT",
        PixelType.Int64 => "MET_LONG_LONG",
        PixelType.UInt64 => "MET_ULONG_LONG",
        PixelType.Float32 => "MET_FLOAT",
        PixelType.Float64 => "MET_DOUBLE",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
