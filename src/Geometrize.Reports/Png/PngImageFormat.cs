using Geometrize.Imaging;
using Geometrize.Numerics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using GImage = Geometrize.Imaging.Image;
using ImageFormatException = Geometrize.Imaging.ImageFormatException;
using IsImage = SixLabors.ImageSharp.Image;

namespace Geometrize.Reports.Png;

/// <summary>
/// PNG as a 2-D scalar image format, decoded and encoded by SixLabors.ImageSharp.
/// </summary>
/// <remarks>
/// <para>Reading: gray (1–16 bit), gray+alpha, palette, RGB and RGBA files become one gray channel. Colour is
/// converted with ITU-R BT.601 luma (Y = 0.299 R + 0.587 G + 0.114 B) computed on the file's own precision (16-bit
/// files are decoded to 16-bit pixels so nothing is lost), then rounded to the nearest integer so that the values
/// are exactly representable in <see cref="GImage.SourceType"/> (<see cref="PixelType.UInt8"/> or
/// <see cref="PixelType.UInt16"/>). Alpha is ignored. Row 0 of the file is y = 0.</para>
/// <para>Geometry: spacing 1, origin 0, identity direction. The pHYs chunk is deliberately not used: typical files
/// carry a screen resolution there (72 or 96 dpi), not a voxel size, and honouring it would give two slices of the
/// same data set different spacings.</para>
/// <para>Writing: 8-bit gray by default, 16-bit gray when <see cref="ImageWriteOptions.PixelType"/> is
/// <see cref="PixelType.UInt16"/>. Values are rounded to the nearest integer (halves away from zero) and clamped to
/// the type's range ([0, 255] or [0, 65535]); NaN becomes 0. No rescaling is done: scale float images first.
/// Only 2-D scalar images can be written; the geometry (spacing, origin, direction) is not stored.</para>
/// </remarks>
public sealed class PngImageFormat : IImageFormat
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Private configuration: PNG only, and an allocator that refuses buffers larger than a corrupt or hostile
    // header could request, so decoding fails with an exception instead of exhausting memory.
    private readonly Configuration _configuration;

    /// <summary>Creates the format with a decoder memory limit derived from <see cref="ImageIO.MaxVoxels"/>.</summary>
    public PngImageFormat()
    {
        // The largest decoded buffer is 8 bytes per pixel (Rgba64); allow that for MaxVoxels pixels.
        long limitMb = Math.Clamp(ImageIO.MaxVoxels * 8 / (1 << 20), 64, int.MaxValue);
        _configuration = new Configuration(new PngConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = (int)limitMb }),
        };
    }

    /// <inheritdoc />
    public string Name => "PNG";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".png"];

    /// <summary>True for the stored types PNG can hold exactly: <see cref="PixelType.UInt8"/> and <see cref="PixelType.UInt16"/>.</summary>
    public static bool CanStore(PixelType type) => type is PixelType.UInt8 or PixelType.UInt16;

    /// <inheritdoc />
    public GImage Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            Span<byte> head = stackalloc byte[8];
            int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got < head.Length || !head.SequenceEqual(Signature))
                throw new ImageFormatException(path, "not a PNG file (the 8-byte PNG signature is missing); check the file or its extension.");
            stream.Position = 0;

            var info = IsImage.Identify(_configuration, stream)
                ?? throw new ImageFormatException(path, "PNG header could not be read (file damaged or truncated).");
            long pixels = (long)info.Width * info.Height;
            if (info.Width < 1 || info.Height < 1 || pixels > ImageIO.MaxVoxels)
                throw new ImageFormatException(path, $"PNG claims {info.Width}x{info.Height} pixels, more than the {ImageIO.MaxVoxels} this machine can load; the file is corrupt or too large.");

            var png = info.Metadata.GetPngMetadata();
            bool sixteen = png.BitDepth == PngBitDepth.Bit16;
            bool gray = png.ColorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha;
            stream.Position = 0;
            var geometry = ImageGeometry.Create2D(info.Width, info.Height);
            var data = new float[geometry.Count];
            int w = info.Width;
            if (gray && sixteen)
            {
                using var img = IsImage.Load<L16>(_configuration, stream);
                Require(img.Width == info.Width && img.Height == info.Height, path);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < acc.Height; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < row.Length; x++) data[x + w * y] = row[x].PackedValue;
                    }
                });
            }
            else if (gray)
            {
                using var img = IsImage.Load<L8>(_configuration, stream);
                Require(img.Width == info.Width && img.Height == info.Height, path);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < acc.Height; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < row.Length; x++) data[x + w * y] = row[x].PackedValue;
                    }
                });
            }
            else if (sixteen)
            {
                using var img = IsImage.Load<Rgba64>(_configuration, stream);
                Require(img.Width == info.Width && img.Height == info.Height, path);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < acc.Height; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < row.Length; x++) data[x + w * y] = Luma(row[x].R, row[x].G, row[x].B);
                    }
                });
            }
            else
            {
                using var img = IsImage.Load<Rgb24>(_configuration, stream);
                Require(img.Width == info.Width && img.Height == info.Height, path);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < acc.Height; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < row.Length; x++) data[x + w * y] = Luma(row[x].R, row[x].G, row[x].B);
                    }
                });
            }
            return new GImage(geometry, data, 1, sixteen ? PixelType.UInt16 : PixelType.UInt8);
        }
        catch (GeometrizeException) { throw; }
        catch (FileNotFoundException e) { throw new ImageFormatException(path, "file not found.", e); }
        catch (UnauthorizedAccessException e) { throw new ImageFormatException(path, "cannot read the file (permission denied).", e); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A decoder working on untrusted bytes may fail in many ways (ImageSharp's own exceptions, end of
            // stream, index errors in damaged data); all of them mean the same thing to the user.
            throw new ImageFormatException(path, $"damaged or unsupported PNG ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    /// <inheritdoc />
    public void Write(GImage image, string path, ImageWriteOptions options)
    {
        if (image.Dimension != 2 || image.Components != 1)
            throw new ImageFormatException(path,
                $"PNG holds 2-D scalar images only, but this image is {image.Dimension}-D with {image.Components} component(s); write it as .nii.gz or .mha instead.");
        var type = options.PixelType ?? PixelType.UInt8;
        if (!CanStore(type))
            throw new InvalidParameterException("--type", $"PNG stores uint8 or uint16 only, not {type.Name()}; choose one of those or write .nii.gz/.mha for other types.");
        int w = image.Geometry.Nx, h = image.Geometry.Ny;
        float[] src = image.Data;
        var encoder = new PngEncoder
        {
            ColorType = PngColorType.Grayscale,
            BitDepth = type == PixelType.UInt16 ? PngBitDepth.Bit16 : PngBitDepth.Bit8,
        };
        AtomicFile.Write(path, stream =>
        {
            if (type == PixelType.UInt16)
            {
                using var img = new Image<L16>(_configuration, w, h);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < h; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < w; x++) row[x] = new L16((ushort)ToStored(src[x + w * y], ushort.MaxValue));
                    }
                });
                img.Save(stream, encoder);
            }
            else
            {
                using var img = new Image<L8>(_configuration, w, h);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < h; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < w; x++) row[x] = new L8((byte)ToStored(src[x + w * y], byte.MaxValue));
                    }
                });
                img.Save(stream, encoder);
            }
        });
    }

    /// <summary>BT.601 luma of one colour, rounded to the nearest integer; exact for gray colours (R = G = B).</summary>
    internal static float Luma(int r, int g, int b)
    {
        if (r == g && g == b) return r;
        return (float)Math.Round(0.299 * r + 0.587 * g + 0.114 * b, MidpointRounding.AwayFromZero);
    }

    /// <summary>Rounds half away from zero and clamps to [0, <paramref name="max"/>]; NaN maps to 0.</summary>
    internal static int ToStored(float v, int max)
    {
        if (float.IsNaN(v) || v <= 0) return 0;
        if (v >= max) return max;
        return (int)MathF.Round(v, MidpointRounding.AwayFromZero);
    }

    private static void Require(bool ok, string path)
    {
        if (!ok) throw new ImageFormatException(path, "decoded size differs from the PNG header; the file is damaged.");
    }
}
