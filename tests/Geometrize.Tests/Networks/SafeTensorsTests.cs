using System.Buffers.Binary;
using System.Text;
using Geometrize.Networks.Data;
using Geometrize.Networks.Serialization;
using Geometrize.Tests.Imaging;

namespace Geometrize.Tests.Networks;

/// <summary>The safetensors codec against the format's specification and round trips of every type.</summary>
public class SafeTensorsTests
{
    /// <summary>A file assembled from a header string and data bytes exactly as the specification lays it out.</summary>
    internal static byte[] Assemble(string header, params byte[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        data.CopyTo(file, 8 + h.Length);
        return file;
    }

    [Fact]
    public void WriteIsByteExactToTheSpecification()
    {
        var file = new SafeTensorsFile(
            [NamedArray.FromSingles("b", [2], [1f, -2f]), NamedArray.FromInt64s("a", [], [7])],
            new Dictionary<string, string> { ["format"] = "pt" });
        // Header: 138 bytes of compact JSON, metadata first then names in order, padded with 6 spaces to 144 = 0x90.
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        Assert.Equal(138, json.Length);
        byte[] expected =
        [
            0x90, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(json), 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
            7, 0, 0, 0, 0, 0, 0, 0,          // a = 7 as little-endian int64
            0x00, 0x00, 0x80, 0x3F,          // 1.0f
            0x00, 0x00, 0x00, 0xC0,          // -2.0f
        ];
        Assert.Equal(expected, file.ToBytes());
        Assert.Equal(0, (8 + 144) % 8);
    }

    [Fact]
    public void ReadsAHandWrittenFileWithHalfAndBrainFloat()
    {
        // Keys out of offset order, no metadata, no padding: all allowed by the specification.
        string header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},\"h\":{\"dtype\":\"F16\",\"shape\":[2,1],\"data_offsets\":[0,4]},\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]},\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[8,11]}}";
        byte[] bytes = Assemble(header,
            0x00, 0x3C, 0x00, 0xC0,   // F16: 1.0, -2.0
            0x80, 0x3F, 0x49, 0x40,   // BF16: 1.0, 3.140625
            1, 0, 1);                 // BOOL
        var f = SafeTensorsFile.Parse(bytes, "hand.safetensors");
        Assert.Equal(["e", "h", "m", "w"], f.Arrays.Select(a => a.Name));
        Assert.Empty(f.Metadata);
        Assert.Equal([1f, -2f], f["h"].ToSingles());
        Assert.Equal([2, 1], f["h"].Shape);
        Assert.Equal(SafeTensorsDType.F16, f["h"].DType);
        Assert.Equal([1.0, 3.140625], f["w"].ToDoubles());
        Assert.Equal([1f, 0f, 1f], f["m"].ToSingles());
        Assert.Equal([1L, 0L, 1L], f["m"].ToInt64s());
        Assert.Equal(0, f["e"].ElementCount);
        Assert.Empty(f["e"].ToSingles());
    }

    [Fact]
    public void RoundTripOfEveryTypeThroughAFile()
    {
        using var tmp = new TempDir();
        var rng = new Random(3);
        float[] w = Enumerable.Range(0, 24).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        double[] d = [Math.PI, -1e-300, double.MaxValue, 0];
        var arrays = new List<NamedArray>
        {
            NamedArray.FromSingles("layers.0.weight", [4, 6], w),
            NamedArray.FromDoubles("scale", [2, 2], d),
            NamedArray.FromInt64s("steps", [1], [long.MinValue]),
            NamedArray.FromInt32s("ids", [3], [1, -2, int.MaxValue]),
            new NamedArray("pixels", SafeTensorsDType.U8, [5], new byte[] { 0, 1, 127, 128, 255 }),
            new NamedArray("half", SafeTensorsDType.F16, [1], new byte[] { 0x00, 0x3C }),
            new NamedArray("bf", SafeTensorsDType.BF16, [1], new byte[] { 0x80, 0xBF }),
            new NamedArray("flags", SafeTensorsDType.BOOL, [2], new byte[] { 0, 1 }),
        };
        var meta = new Dictionary<string, string> { ["architecture"] = "{\"model\":\"flownet\"}", ["note"] = "é ü 中" };
        string path = tmp.File("model.safetensors");
        new SafeTensorsFile(arrays, meta).Write(path);
        Assert.Single(Directory.GetFiles(tmp.Path));

        var back = SafeTensorsFile.Read(path);
        Assert.Equal(path, back.Source);
        Assert.Equal(arrays.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal), back.Arrays.Select(a => a.Name));
        foreach (var a in arrays)
        {
            var b = back[a.Name];
            Assert.Equal(a.DType, b.DType);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.Bytes.ToArray(), b.Bytes.ToArray());
        }
        Assert.Equal(meta, back.Metadata);
        Assert.Equal(w, back["layers.0.weight"].ToSingles());
        Assert.Equal(d, back["scale"].ToDoubles());
        Assert.Equal([long.MinValue], back["steps"].ToInt64s());
        Assert.Equal([1L, -2L, int.MaxValue], back["ids"].ToInt64s());
        Assert.Equal([0.0, 1, 127, 128, 255], back["pixels"].ToDoubles());
        Assert.Equal([1f], back["half"].ToSingles());
        Assert.Equal([-1f], back["bf"].ToSingles());
        // Data region starts on an 8-byte boundary.
        byte[] raw = File.ReadAllBytes(path);
        Assert.Equal(0UL, (8 + BinaryPrimitives.ReadUInt64LittleEndian(raw)) % 8);
        // Writing what was read gives the same bytes.
        Assert.Equal(raw, back.ToBytes());
    }

    [Fact]
    public void MissingNameListsWhatIsThere()
    {
        var f = new SafeTensorsFile([NamedArray.FromSingles("x", [1], [1f])], source: "m.safetensors");
        var e = Assert.Throws<DataFormatException>(() => f["y"]);
        Assert.StartsWith("m.safetensors", e.Message);
        Assert.Contains("'x'", e.Message);
        Assert.False(f.TryGet("y", out _));
        Assert.True(f.TryGet("x", out var x));
        Assert.Equal("x", x.Name);
    }

    [Fact]
    public void InvalidArraysAreRefusedBeforeWriting()
    {
        Assert.Throws<InvalidParameterException>(() => new NamedArray("a", SafeTensorsDType.F32, [3], new byte[8]));
        Assert.Throws<InvalidParameterException>(() => new NamedArray("", SafeTensorsDType.F32, [0], Array.Empty<byte>()));
        Assert.Throws<InvalidParameterException>(() => new NamedArray(SafeTensorsFile.MetadataKey, SafeTensorsDType.U8, [0], Array.Empty<byte>()));
        Assert.Throws<InvalidParameterException>(() => new NamedArray("a", SafeTensorsDType.U8, [-1], Array.Empty<byte>()));
        Assert.Throws<InvalidParameterException>(() => new SafeTensorsFile([NamedArray.FromSingles("a", [1], [1f]), NamedArray.FromSingles("a", [1], [2f])]));
        var e = Assert.Throws<GeometrizeException>(() => NamedArray.FromSingles("w", [1], [1f]).ToInt64s());
        Assert.Contains("F32", e.Message);
    }

    [Fact]
    public void WriteIntoAMissingFolderFailsCleanly()
    {
        using var tmp = new TempDir();
        string path = Path.Combine(tmp.Path, "no-such-folder", "m.safetensors");
        var f = new SafeTensorsFile([NamedArray.FromSingles("a", [1], [1f])]);
        var e = Assert.ThrowsAny<GeometrizeException>(() => f.Write(path));
        Assert.Contains("does not exist", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }
}
