using System.Buffers.Binary;
using Geometrize.Networks.Data;
using Geometrize.Networks.Serialization;
using Geometrize.Tests.Imaging;

namespace Geometrize.Tests.Networks;

/// <summary>
/// Every kind of bad safetensors file must end in <see cref="DataFormatException"/> naming the file, never
/// another exception, a huge allocation driven by the header, or arrays silently aliasing each other.
/// </summary>
public class SafeTensorsCorruptionTests
{
    private const string Good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private static void Fails(byte[] bytes, string because)
    {
        using var tmp = new TempDir();
        string path = tmp.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(because, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(path, e.FileName);
        // The in-memory parser must agree.
        var m = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Parse(bytes, "mem"));
        Assert.Contains(because, m.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] File8(string header, int dataBytes = 8) => SafeTensorsTests.Assemble(header, new byte[dataBytes]);

    [Fact]
    public void TheGoodFileReads() => Assert.Single(SafeTensorsFile.Parse(File8(Good), "mem").Arrays);

    [Fact]
    public void MissingFile()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => SafeTensorsFile.Read(tmp.File("none.safetensors")));
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void ShorterThanTheLengthPrefix(int length) => Fails(new byte[length], "truncated");

    [Fact]
    public void HeaderLengthBeyondTheFile()
    {
        byte[] b = File8(Good);
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)(b.Length - 7));
        Fails(b, "beyond the end");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void AbsurdHeaderLength(ulong n)
    {
        var b = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(b, n);
        Fails(b, "exceeds");
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "not valid JSON")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} xx", "not valid JSON")]
    [InlineData("[1,2,3]                                         ", "does not start with '{'")]
    [InlineData("{\"a\":[1,2]}", "expected an object")]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,8]}}", "does not read")]
    [InlineData("{\"a\":{\"dtype\":\"6\",\"shape\":[2],\"data_offsets\":[0,8]}}", "does not read")]
    [InlineData("{\"a\":{\"dtype\":\" F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "does not read")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}", "more elements")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-1,7]}}", "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "end before begin")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "needs 16 bytes")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "must be strings")]
    [InlineData("{\"__metadata__\":[\"k\"],\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "must be an object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", "twice")]
    [InlineData("{\"\\uD800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "not valid text")]
    public void MalformedHeader(string header, string because) => Fails(File8(header), because);

    [Fact]
    public void HeaderNotUtf8()
    {
        byte[] b = File8(Good);
        b[8 + 3] = 0xFF;
        Fails(b, "UTF-8");
    }

    [Fact]
    public void OffsetsBeyondTheData() =>
        Fails(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}"), "truncated");

    [Fact]
    public void OverlappingArrays() =>
        Fails(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"), "overlaps");

    [Fact]
    public void GapBetweenArrays() =>
        Fails(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}"), "gap");

    [Fact]
    public void DataRegionLongerThanTheArrays() => Fails(File8(Good, 12), "whole file");

    [Fact]
    public void TruncatedDataRegion() => Fails(File8(Good, 5), "truncated");

    [Fact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        // Flip bytes of a valid file: each result must read or fail with DataFormatException, nothing else.
        var good = new SafeTensorsFile([NamedArray.FromSingles("w", [2, 3], [1, 2, 3, 4, 5, 6]), NamedArray.FromInt64s("n", [1], [9])],
            new Dictionary<string, string> { ["k"] = "v" }).ToBytes();
        var rng = new Random(11);
        for (int trial = 0; trial < 400; trial++)
        {
            var b = (byte[])good.Clone();
            int flips = 1 + rng.Next(3);
            for (int k = 0; k < flips; k++) b[rng.Next(b.Length)] = (byte)rng.Next(256);
            try { SafeTensorsFile.Parse(b, "fuzz"); }
            catch (DataFormatException) { }
        }
    }
}
