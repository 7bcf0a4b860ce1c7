using System.Globalization;
using System.IO.Compression;
using System.Text;
using Geometrize.Numerics;

namespace Geometrize.Imaging.MetaImage;

/// <summary>
/// ITK MetaImage: <c>.mha</c> (header and data in one file) and <c>.mhd</c> with a separate data file
/// (<c>.raw</c>, or zlib-compressed <c>.zraw</c>). Coordinates are ITK's LPS as stored, with no flips.
/// <para><c>TransformMatrix</c> (alias <c>Rotation</c>, <c>Orientation</c>) lists the direction of voxel axis 0,
/// then axis 1, ... — the columns of ITK's direction matrix one after the other, as ITK's MetaImageIO reads and
/// writes it (checked on ITK's <c>BrainProtonDensitySliceBorder20DirectionPlus30.mhd</c>, whose
/// <c>0.866 0.5 -0.5 0.866</c> is a +30° rotation).</para>
/// <para>Multi-channel images (<c>ElementNumberOfChannels</c>) are interleaved on disk and component-major in
/// <see cref="Image"/>. <c>HeaderSize</c> (including −1, "data at the end of the file") applies to a separate
/// data file. <c>MET_LONG</c>/<c>MET_ULONG</c> are 4-byte types, as in MetaIO.</para>
/// </summary>
public sealed class MetaImageFormat : IImageFormat
{
    /// <inheritdoc />
    public string Name => "MetaImage";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".mha", ".mhd"];

    /// <inheritdoc />
    public Image Read(string path) => RawVoxels.Guard(path, () => ReadCore(path));

    private static Image ReadCore(string path)
    {
        if (!File.Exists(path)) throw new ImageFormatException(path, "file not found.");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var h = MetaImageHeader.Read(fs, path);

        string? objectType = h.Get("ObjectType");
        if (objectType != null && !objectType.Equals("Image", StringComparison.OrdinalIgnoreCase))
            throw new ImageFormatException(path, $"ObjectType is '{objectType}'; only Image objects can be read.");
        long nd = h.Long("NDims", -1);
        if (nd is not (2 or 3))
            throw new ImageFormatException(path, nd == -1 ? "the MetaImage header has no NDims." : $"NDims = {nd}; Geometrize reads 2-D and 3-D images.");
        int d = (int)nd;
        long[] dims = h.Longs("DimSize", d);
        long channels = h.Long("ElementNumberOfChannels", 1);
        if (channels < 1) throw new ImageFormatException(path, $"ElementNumberOfChannels = {channels} must be at least 1.");
        PixelType type = MetaImageHeader.TypeOf(h.Get("ElementType") ?? throw new ImageFormatException(path, "the MetaImage header has no ElementType."), path);
        long bytes = RawVoxels.CheckedByteCount(path, [.. dims, channels], type);

        double[] spacing = h.Doubles(d, "ElementSpacing", "ElementSize") ?? Enumerable.Repeat(1.0, d).ToArray();
        for (int a = 0; a < d; a++)
            if (!(spacing[a] > 0))
                throw new ImageFormatException(path, $"ElementSpacing axis {a} is {spacing[a]}; spacing must be positive.");
        double[] origin = h.Doubles(d, "Offset", "Origin", "Position") ?? new double[d];
        double[] axes = h.Doubles(d * d, "TransformMatrix", "Rotation", "Orientation") ?? ImageGeometry.Identity(d);
        var direction = new double[d * d];
        for (int axis = 0; axis < d; axis++)
            for (int r = 0; r < d; r++) direction[r * d + axis] = axes[axis * d + r];

        if (!h.Bool("BinaryData", true)) throw new ImageFormatException(path, "ASCII MetaImage data (BinaryData = False) is not supported.");
        bool msb = h.Get("BinaryDataByteOrderMSB") != null ? h.Bool("BinaryDataByteOrderMSB", false) : h.Bool("ElementByteOrderMSB", false);
        bool compressed = h.Bool("CompressedData", false);
        long compressedSize = h.Long("CompressedDataSize", -1);
        string dataFile = h.Get("ElementDataFile") ?? "";
        if (dataFile.Length == 0) throw new ImageFormatException(path, "ElementDataFile is empty.");
        if (dataFile.Equals("LIST", StringComparison.OrdinalIgnoreCase) || dataFile.Contains('%'))
            throw new ImageFormatException(path, $"ElementDataFile = {dataFile}: file lists and patterns are not supported; use a single data file.");

        byte[] raw;
        if (dataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase))
        {
            fs.Position = h.DataStart;
            raw = ReadBlock(fs, path, bytes, compressed, compressedSize);
        }
        else
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            string dataPath = Path.Combine(folder, dataFile);
            if (!File.Exists(dataPath))
                throw new ImageFormatException(path, $"its data file '{dataFile}' (ElementDataFile) is missing from {folder}.");
            using var ds = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long headerSize = h.Long("HeaderSize", 0);
            if (headerSize == -1)
            {
                if (compressed) throw new ImageFormatException(path, "HeaderSize = -1 cannot be combined with CompressedData.");
                if (ds.Length < bytes) throw new ImageFormatException(dataPath, $"MetaImage data are truncated: {bytes} bytes expected, {ds.Length} present.");
                headerSize = ds.Length - bytes;
            }
            if (headerSize < 0 || headerSize > ds.Length)
                throw new ImageFormatException(path, $"HeaderSize = {headerSize} is outside the {ds.Length}-byte data file.");
            ds.Position = headerSize;
            raw = ReadBlock(ds, dataPath, bytes, compressed, compressedSize);
        }

        long voxels = bytes / type.SizeOf() / channels;
        float[] data = RawVoxels.Decode(raw, voxels * channels, type, msb);
        if (channels > 1) data = Deinterleave(data, (int)voxels, (int)channels);
        var g = new ImageGeometry(dims.Select(x => (int)x).ToArray(), spacing, origin, direction);
        return new Image(g, data, (int)channels, type);
    }

    private static byte[] ReadBlock(FileStream s, string file, long bytes, bool compressed, long compressedSize)
    {
        long available = s.Length - s.Position;
        if (!compressed) return RawVoxels.ReadExactly(s, bytes, available, file, "MetaImage data");
        if (compressedSize > available)
            throw new ImageFormatException(file, $"compressed MetaImage data are truncated: CompressedDataSize = {compressedSize}, {available} bytes present.");
        using var z = new ZLibStream(s, CompressionMode.Decompress, leaveOpen: true);
        return RawVoxels.ReadExactly(z, bytes, null, file, "decompressed MetaImage data");
    }

    private static float[] Deinterleave(float[] src, int voxels, int channels)
    {
        var dst = new float[src.Length];
        for (int i = 0; i < voxels; i++)
            for (int c = 0; c < channels; c++) dst[c * voxels + i] = src[i * channels + c];
        return dst;
    }

    /// <inheritdoc />
    public void Write(Image image, string path, ImageWriteOptions options)
    {
        PixelType type = options.PixelType ?? PixelType.Float32;
        if (type == PixelType.Rgb24)
            throw new ImageFormatException(path, "MetaImage has no RGB24 element type; write uint8 (gray) instead.");
        int n = image.Geometry.Count, comps = image.Components;
        float[] values = image.Data;
        if (comps > 1)
        {
            values = new float[image.Data.Length];
            for (int i = 0; i < n; i++)
                for (int c = 0; c < comps; c++) values[i * comps + c] = image.Data[c * n + i];
        }
        bool compress = options.Compress;
        bool local = path.EndsWith(".mha", StringComparison.OrdinalIgnoreCase);

        if (local)
        {
            byte[]? packed = compress ? Deflate(values, type) : null;
            string header = Header(image, type, compress, packed?.LongLength ?? 0, "LOCAL");
            AtomicFile.Write(path, fs =>
            {
                fs.Write(Encoding.ASCII.GetBytes(header));
                if (packed != null) fs.Write(packed);
                else RawVoxels.Write(fs, values, type, false);
            });
            return;
        }

        string stem = path[..^4];
        string dataPath = stem + (compress ? ".zraw" : ".raw");
        long size = 0;
        AtomicFile.Write(dataPath, fs =>
        {
            if (compress)
            {
                using (var z = new ZLibStream(fs, CompressionLevel.Fastest, leaveOpen: true))
                    RawVoxels.Write(z, values, type, false);
            }
            else RawVoxels.Write(fs, values, type, false);
            size = fs.Position;
        });
        try
        {
            string header = Header(image, type, compress, size, Path.GetFileName(dataPath));
            AtomicFile.Write(path, fs => fs.Write(Encoding.ASCII.GetBytes(header)));
        }
        catch
        {
            try { File.Delete(dataPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static byte[] Deflate(float[] values, PixelType type)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            RawVoxels.Write(z, values, type, false);
        return ms.ToArray();
    }

    private static string Header(Image image, PixelType type, bool compressed, long compressedSize, string dataFile)
    {
        var g = image.Geometry;
        int d = g.Dimension;
        static string Join(IEnumerable<double> v) => string.Join(' ', v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
        var axes = new double[d * d];
        for (int axis = 0; axis < d; axis++)
            for (int r = 0; r < d; r++) axes[axis * d + r] = g.Direction[r * d + axis];
        var sb = new StringBuilder();
        sb.Append("ObjectType = Image\n");
        sb.Append($"NDims = {d}\n");
        sb.Append("BinaryData = True\n");
        sb.Append("BinaryDataByteOrderMSB = False\n");
        sb.Append($"CompressedData = {(compressed ? "True" : "False")}\n");
        if (compressed) sb.Append($"CompressedDataSize = {compressedSize}\n");
        sb.Append($"TransformMatrix = {Join(axes)}\n");
        sb.Append($"Offset = {Join(g.Origin.ToArray())}\n");
        sb.Append($"CenterOfRotation = {Join(new double[d])}\n");
        sb.Append($"ElementSpacing = {Join(g.Spacing.ToArray())}\n");
        sb.Append($"DimSize = {string.Join(' ', g.Size.ToArray())}\n");
        if (image.Components > 1) sb.Append($"ElementNumberOfChannels = {image.Components}\n");
        sb.Append($"ElementType = {MetaImageHeader.NameOf(type)}\n");
        sb.Append($"ElementDataFile = {dataFile}\n");
        return sb.ToString();
    }
}
