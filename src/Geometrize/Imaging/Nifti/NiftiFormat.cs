using System.IO.Compression;
using Geometrize.Numerics;

namespace Geometrize.Imaging.Nifti;

/// <summary>
/// NIfTI-1 and NIfTI-2 images: <c>.nii</c>, <c>.nii.gz</c> and <c>.hdr</c>/<c>.img</c> pairs (each optionally
/// gzip-compressed, recognised by content). Physical coordinates become ITK's LPS: the RAS+ affine's first two
/// rows are negated, then split into origin, spacing (column norms) and direction (unit columns).
/// <para>Dimensions: <c>dim[0] = 2</c> is 2-D; a single slice (<c>dim[3] = 1</c>) is read as 2-D when its two
/// in-plane axes have no through-plane component (the slice's z position is then dropped), else as 3-D with one
/// slice. Beyond the three spatial axes, <c>dim[4]</c> (time) or <c>dim[5]</c> (vector components, ITK/ANTs'
/// intent 1007 layout) becomes <see cref="Image.Components"/>; both above 1 at once is rejected.</para>
/// <para>Values are scaled by <c>scl_slope</c>/<c>scl_inter</c> unless the slope is 0 or not finite; a scaled
/// image reports <see cref="PixelType.Float32"/> as its source type. RGB24 is read as BT.601 luma.</para>
/// <para>Writing produces NIfTI-1 (float32 unless <see cref="ImageWriteOptions.PixelType"/> says otherwise) with
/// sform and qform (codes 1) from the geometry, units mm; 2-D images get <c>dim[0] = 2</c>; vector images are
/// written as <c>dim = [5, nx, ny, nz, 1, components]</c>, intent vector, components stored as given —
/// Geometrize keeps displacement vectors in physical LPS millimetres, as ITK and ANTs do.</para>
/// </summary>
public sealed class NiftiFormat : IImageFormat
{
    private const int IntentVector = 1007;
    private const int UnitsMm = 2;

    /// <inheritdoc />
    public string Name => "NIfTI";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".hdr", ".img"];

    /// <inheritdoc />
    public Image Read(string path) => RawVoxels.Guard(path, () => ReadCore(path));

    private static Image ReadCore(string path)
    {
        if (!File.Exists(path)) throw new ImageFormatException(path, "file not found.");
        string lower = path.ToLowerInvariant();
        bool isImg = lower.EndsWith(".img", StringComparison.Ordinal) || lower.EndsWith(".img.gz", StringComparison.Ordinal);
        string headerPath = isImg ? FindPartner(path, ".img", ".hdr") : path;
        NiftiHeader h;
        Stream? single = null;
        using var headerFile = OpenMaybeGzip(headerPath, out bool headerGz);
        h = NiftiHeader.Read(headerFile, headerPath);
        if (h.SingleFile)
        {
            if (isImg || lower.EndsWith(".hdr", StringComparison.Ordinal) || lower.EndsWith(".hdr.gz", StringComparison.Ordinal))
                throw new ImageFormatException(headerPath, "the header says single-file NIfTI (n+1/n+2) but the file is named as a .hdr/.img pair; rename it to .nii.");
            single = headerFile;
        }
        else if (!(lower.EndsWith(".hdr", StringComparison.Ordinal) || lower.EndsWith(".hdr.gz", StringComparison.Ordinal) || isImg))
            throw new ImageFormatException(path, "the header says .hdr/.img pair (ni1/ni2) but the file is a .nii; name it .hdr with its .img beside it.");

        var (size, components, type) = Layout(h, headerPath);
        if (!(h.VoxOffset >= 0) || !double.IsFinite(h.VoxOffset) || h.VoxOffset > long.MaxValue / 2)
            throw new ImageFormatException(headerPath, $"vox_offset {h.VoxOffset} is invalid.");
        long offset = (long)h.VoxOffset;
        string dataPath = single != null ? headerPath : FindPartner(headerPath, ".hdr", ".img");
        if (single != null)
        {
            if (offset < h.HeaderSize)
                throw new ImageFormatException(headerPath, $"vox_offset {offset} points inside the {h.HeaderSize}-byte header.");
            return ReadData(single, headerGz, headerPath, h, offset - h.HeaderSize, size, components, type);
        }
        using var dataFile = OpenMaybeGzip(dataPath, out bool dataGz);
        return ReadData(dataFile, dataGz, dataPath, h, offset, size, components, type);
    }

    /// <summary>Spatial size, components and pixel type from dim[] and datatype, with the 2-D/vector rules.</summary>
    private static (long[] Size, int Components, PixelType Type) Layout(NiftiHeader h, string file)
    {
        long nd = h.Dim[0];
        if (nd is < 1 or > 7) throw new ImageFormatException(file, $"dim[0] is {nd}; it must be between 1 and 7.");
        if (nd == 1) throw new ImageFormatException(file, "1-D NIfTI images are not supported; Geometrize needs 2-D or 3-D images.");
        var dims = new long[8];
        for (int i = 1; i < 8; i++)
        {
            dims[i] = i <= nd ? h.Dim[i] : 1;
            if (dims[i] < 1) throw new ImageFormatException(file, $"dim[{i}] is {dims[i]}; every used dimension must be at least 1.");
        }
        if (dims[6] > 1 || dims[7] > 1) throw new ImageFormatException(file, "dimensions 6 and 7 above 1 are not supported.");
        if (dims[4] > 1 && dims[5] > 1)
            throw new ImageFormatException(file, $"a series of vectors (dim[4] = {dims[4]}, dim[5] = {dims[5]}) is not supported; extract one time point first.");
        long comps = dims[4] * dims[5];
        PixelType type = NiftiHeader.TypeOf(h.DataType, file);
        if (type == PixelType.Rgb24 && comps > 1) throw new ImageFormatException(file, "multi-component RGB24 images are not supported.");
        RawVoxels.CheckedByteCount(file, [dims[1], dims[2], dims[3], comps], type);
        return ([dims[1], dims[2], dims[3]], (int)comps, type);
    }

    private static Image ReadData(Stream s, bool compressed, string file, NiftiHeader h, long skip, long[] size, int comps, PixelType type)
    {
        long voxels = size[0] * size[1] * size[2];
        long values = voxels * comps;
        long bytes = values * type.SizeOf();
        long? available = compressed ? null : s.Length - s.Position - skip;
        if (available is < 0) throw new ImageFormatException(file, $"vox_offset points {-available} bytes beyond the end of the file.");
        if (skip > 0)
        {
            if (s.CanSeek) s.Seek(skip, SeekOrigin.Current);
            else Skip(s, skip, file);
        }
        byte[] raw = RawVoxels.ReadExactly(s, bytes, available, file, "NIfTI voxel data");
        float[] data = RawVoxels.Decode(raw, values, type, h.BigEndian);
        PixelType source = type;
        double slope = h.SclSlope, inter = double.IsFinite(h.SclInter) ? h.SclInter : 0;
        if (type != PixelType.Rgb24 && slope != 0 && double.IsFinite(slope) && (slope != 1 || inter != 0))
        {
            for (int i = 0; i < data.Length; i++) data[i] = (float)(data[i] * slope + inter);
            source = PixelType.Float32;
        }

        bool singleSlice = size[2] == 1;
        double[] lps = NiftiGeometry.LpsAffine(h, file, planar: singleSlice);
        bool twoD = singleSlice && NiftiGeometry.IsPlanar(lps);
        int[] gridSize = twoD ? [(int)size[0], (int)size[1]] : [(int)size[0], (int)size[1], (int)size[2]];
        ImageGeometry g = NiftiGeometry.ToGeometry(lps, gridSize, file);
        return new Image(g, data, comps, source);
    }

    private static void Skip(Stream s, long count, string file)
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (count > 0)
        {
            int n = s.Read(scratch[..(int)Math.Min(scratch.Length, count)]);
            if (n <= 0) throw new ImageFormatException(file, "vox_offset points beyond the end of the data.");
            count -= n;
        }
    }

    /// <summary>Opens a file, transparently decompressing gzip (recognised by its magic bytes, not its name).</summary>
    private static Stream OpenMaybeGzip(string path, out bool gz)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int b0 = fs.ReadByte(), b1 = fs.ReadByte();
        fs.Position = 0;
        gz = b0 == 0x1f && b1 == 0x8b;
        return gz ? new BufferedStream(new GZipStream(fs, CompressionMode.Decompress), 1 << 16) : fs;
    }

    /// <summary>The other file of a .hdr/.img pair (same compression first, either letter case).</summary>
    private static string FindPartner(string path, string from, string to)
    {
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        string stem = path[..(path.Length - from.Length - (gz ? 3 : 0))];
        string[] exts = gz ? [to + ".gz", to, to.ToUpperInvariant() + ".GZ", to.ToUpperInvariant()]
                           : [to, to + ".gz", to.ToUpperInvariant(), to.ToUpperInvariant() + ".GZ"];
        foreach (string ext in exts)
            if (File.Exists(stem + ext)) return stem + ext;
        throw new ImageFormatException(path, $"the partner file {stem + to} of this .hdr/.img pair is missing.");
    }

    /// <inheritdoc />
    public void Write(Image image, string path, ImageWriteOptions options)
    {
        PixelType type = options.PixelType ?? PixelType.Float32;
        if (type == PixelType.Rgb24 && image.Components > 1)
            throw new ImageFormatException(path, "an RGB24 NIfTI holds one gray value per voxel; write vector images as float32.");
        var g = image.Geometry;
        bool vector = image.Components > 1;
        var h = new NiftiHeader
        {
            DataType = NiftiHeader.CodeOf(type),
            BitPix = 8 * type.SizeOf(),
            SclSlope = 1,
            SclInter = 0,
            XyztUnits = UnitsMm,
            IntentCode = vector ? IntentVector : 0,
            Description = "Geometrize",
        };
        h.Dim[0] = vector ? 5 : g.Dimension;
        h.Dim[1] = g.Nx; h.Dim[2] = g.Ny; h.Dim[3] = g.Nz;
        h.Dim[4] = 1; h.Dim[5] = vector ? image.Components : 1; h.Dim[6] = 1; h.Dim[7] = 1;
        for (int i = 1; i <= 5; i++)
            if (h.Dim[i] > short.MaxValue)
                throw new ImageFormatException(path, $"NIfTI-1 holds at most {short.MaxValue} voxels per axis and this image has {h.Dim[i]}; write MetaImage (.mha) instead.");
        NiftiGeometry.ToHeader(g, h);
        for (int i = 4; i < 8; i++) h.PixDim[i] = 1;

        string lower = path.ToLowerInvariant();
        bool gz = lower.EndsWith(".gz", StringComparison.Ordinal);
        bool pair = lower.EndsWith(".hdr", StringComparison.Ordinal) || lower.EndsWith(".hdr.gz", StringComparison.Ordinal)
                    || lower.EndsWith(".img", StringComparison.Ordinal) || lower.EndsWith(".img.gz", StringComparison.Ordinal);
        if (!pair)
        {
            h.SingleFile = true;
            h.VoxOffset = NiftiHeader.Size1 + 4;
            byte[] header = h.EncodeNifti1();
            AtomicFile.Write(path, fs => WriteMaybeGzip(fs, gz, s => { s.Write(header); RawVoxels.Write(s, image.Data, type, false); }));
            return;
        }

        h.SingleFile = false;
        h.VoxOffset = 0;
        string stem = path[..(path.Length - 4 - (gz ? 3 : 0))];
        string suffix = gz ? ".gz" : "";
        string imgPath = stem + ".img" + suffix, hdrPath = stem + ".hdr" + suffix;
        byte[] hdr = h.EncodeNifti1().AsSpan(0, NiftiHeader.Size1).ToArray();
        AtomicFile.Write(imgPath, fs => WriteMaybeGzip(fs, gz, s => RawVoxels.Write(s, image.Data, type, false)));
        try
        {
            AtomicFile.Write(hdrPath, fs => WriteMaybeGzip(fs, gz, s => s.Write(hdr)));
        }
        catch
        {
            try { File.Delete(imgPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static void WriteMaybeGzip(Stream fs, bool gz, Action<Stream> body)
    {
        if (!gz) { body(fs); return; }
        using var z = new GZipStream(fs, CompressionLevel.Fastest, leaveOpen: true);
        body(z);
    }
}
