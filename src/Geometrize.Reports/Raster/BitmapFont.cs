using System.Collections.Frozen;
using System.Globalization;

namespace Geometrize.Reports.Raster;

/// <summary>
/// A 5×7 pixel bitmap font for figure labels: digits, Latin capitals (lower case is drawn as upper case) and
/// the symbols numbers and titles need. Each glyph is seven rows of five bits, most significant bit on the left.
/// Characters without a glyph are drawn as '?'.
/// </summary>
public static class BitmapFont
{
    /// <summary>Glyph width in pixels.</summary>
    public const int GlyphWidth = 5;
    /// <summary>Glyph height in pixels.</summary>
    public const int GlyphHeight = 7;
    /// <summary>Horizontal distance between consecutive characters (glyph plus one blank column).</summary>
    public const int Advance = 6;

    // Entries separated by ';': the character, then seven hexadecimal rows (top to bottom).
    private const string Table =
        "00E11131519110E;1040C040404040E;20E11010204081F;31F02040201110E;402060A121F0202;51F101E0101110E;" +
        "60608101E11110E;71F010204080808;80E11110E11110E;90E11110F01020C;A0E11111F111111;B1E11111E11111E;" +
        "C0E11101010110E;D1C12111111121C;E1F10101E10101F;F1F10101E101010;G0E11101711110F;H1111111F111111;" +
        "I0E04040404040E;J0702020202120C;K11121418141211;L1010101010101F;M111B1515111111;N11111915131111;" +
        "O0E11111111110E;P1E11111E101010;Q0E11111115120D;R1E11111E141211;S0F10100E01011E;T1F040404040404;" +
        "U1111111111110E;V11111111110A04;W1111111515150A;X11110A040A1111;Y1111110A040404;Z1F01020408101F;" +
        " 00000000000000;.00000000000C0C;,000000000C0408;-0000001F000000;+0004041F040400;=00001F001F0000;" +
        ":000C0C000C0C00;/00010204081000;(02040808080402;)08040202020408;|04040404040404;%18190204081303;" +
        "<02040810080402;>08040201020408;_0000000000001F;[0E08080808080E;]0E02020202020E;?0E110102040004;" +
        "*0004150E150400;'04040800000000;#0A0A1F0A1F0A0A;~00000815020000";

    private static readonly FrozenDictionary<char, byte[]> Glyphs = Parse();

    /// <summary>The seven row bit patterns of <paramref name="c"/> (lower case maps to upper case; unknown to '?').</summary>
    public static ReadOnlySpan<byte> Glyph(char c)
    {
        char key = char.ToUpperInvariant(c);
        return Glyphs.TryGetValue(key, out var g) ? g : Glyphs['?'];
    }

    /// <summary>Width in pixels of <paramref name="text"/> drawn at <paramref name="scale"/> (without the trailing blank column).</summary>
    public static int Measure(string text, int scale = 1) => text.Length == 0 ? 0 : (text.Length * Advance - 1) * scale;

    private static FrozenDictionary<char, byte[]> Parse()
    {
        var d = new Dictionary<char, byte[]>();
        foreach (string entry in Table.Split(';'))
        {
            var hex = entry.AsSpan(1);
            var rows = new byte[GlyphHeight];
            for (int r = 0; r < GlyphHeight; r++) rows[r] = byte.Parse(hex.Slice(2 * r, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            d[entry[0]] = rows;
        }
        return d.ToFrozenDictionary();
    }
}
