using System.Globalization;
using System.Text;
using System.Text.Json;
using Geometrize.Imaging;

namespace Geometrize.Registration;

/// <summary>
/// Writes a <see cref="RegistrationResult"/> to an output folder, all or nothing.
/// </summary>
/// <remarks>
/// <para><b>Files.</b> <c>warped.nii.gz</c> (always), plus <c>warped.mha</c> when the fixed image is MetaImage or
/// <c>warped.png</c> when it is PNG (the fixed image's family, same pixel type as the fixed image for PNG);
/// <c>displacement.nii.gz</c> and <c>inverse_displacement.nii.gz</c> (ITK/ANTs vector layout: 5-D, intent vector,
/// float32 physical LPS millimetres, fixed point x ↦ moving point x + u(x)); <c>jacobian.nii.gz</c>;
/// <c>momentum.nii.gz</c> for shooting methods (vector m_0 in LPS components, or scalar P_0 / metamorphosis p_0);
/// <c>intensity_change.nii.gz</c> for metamorphosis (accumulated intensity change Z_1, original units); <c>energy.csv</c>;
/// <c>summary.json</c> (<see cref="SummaryJson"/>). Fields are always NIfTI because that is what ITK, ANTs and
/// viewers read as displacement fields; the warped image also follows the input family for convenience.</para>
/// <para><b>No partial outputs.</b> Everything is written into a fresh hidden sibling folder
/// (<c>.NAME.partial-GUID</c>) first. When the output folder does not exist the staging folder is renamed into
/// place in one step; when it exists, the staged files are moved in one by one (renames on one file system) and
/// any already moved are deleted again if a later move fails. The staging folder is removed in every case. Errors
/// raise <see cref="ImageFormatException"/> naming the output folder.</para>
/// </remarks>
public static class RegistrationOutputs
{
    /// <summary>Writes the outputs of <paramref name="result"/> into <paramref name="directory"/>; returns the written paths.</summary>
    /// <param name="result">The registration result.</param>
    /// <param name="fixedImage">The fixed image (its pixel type chooses the PNG preview's depth).</param>
    /// <param name="directory">Output folder, created when missing.</param>
    /// <param name="fixedPath">Path of the fixed image file; its extension picks the family of the extra warped file.</param>
    public static IReadOnlyList<string> Write(RegistrationResult result, Image fixedImage, string directory, string fixedPath)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(fixedImage);
        if (string.IsNullOrWhiteSpace(directory)) throw new InvalidParameterException("--output", "needs a folder name.");
        string target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (File.Exists(target)) throw new ImageFormatException(directory, "is an existing file, not a folder; choose another --output.");
        string parent = Path.GetDirectoryName(target) ?? throw new ImageFormatException(directory, "cannot write outputs at a file-system root; choose a folder.");
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        try
        {
            try
            {
                Directory.CreateDirectory(parent);
                Directory.CreateDirectory(staging);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new ImageFormatException(directory, $"cannot create the output folder ({e.Message}); choose a writable --output.", e);
            }
            var names = WriteAll(result, fixedImage, staging, fixedPath);
            Publish(staging, target, names, directory);
            return names.Select(n => Path.Combine(target, n)).ToArray();
        }
        catch (ImageFormatException e) when (e.FileName.StartsWith(staging, StringComparison.Ordinal))
        {
            throw new ImageFormatException(directory, $"cannot write the outputs: {e.Reason}", e);
        }
        finally
        {
            TryDeleteFolder(staging);
        }
    }

    /// <summary>The summary as indented JSON: method, timing, metrics, energies and the settings.</summary>
    public static string SummaryJson(RegistrationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Settings;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("method", result.Method);
            Number(w, "seconds", result.Seconds);
            w.WriteNumber("iterations", result.Iterations);
            Number(w, "mse_before", result.MseBefore);
            Number(w, "mse_after", result.MseAfter);
            Number(w, "ncc_before", result.NccBefore);
            Number(w, "ncc_after", result.NccAfter);
            if (result.IntensityChange != null) Number(w, "mse_after_deformation_only", result.MseAfterDeformationOnly);
            Number(w, "jacobian_min", result.JacobianMin);
            Number(w, "jacobian_max", result.JacobianMax);
            Number(w, "energy_regularity", result.FinalEnergy.Regularity);
            Number(w, "energy_data", result.FinalEnergy.Data);
            Number(w, "energy_total", result.FinalEnergy.Total);
            w.WriteStartObject("settings");
            w.WriteString("method", RegistrationProblems.Name(s.Method));
            w.WriteString("data_term", s.DataTerm.ToString().ToLowerInvariant());
            Number(w, "sigma", s.Sigma);
            if (s.DataTerm == DataTermKind.Lncc) w.WriteNumber("radius", s.LnccRadius);
            if (s.Method == RegistrationMethod.Metamorphosis) Number(w, "rho", s.MetamorphosisRho);
            Number(w, "alpha", s.Metric.Alpha);
            Number(w, "gamma", s.Metric.Gamma);
            Number(w, "s", s.Metric.Power);
            Number(w, "beta", s.Metric.Beta);
            w.WriteNumber("time_steps", s.TimeSteps);
            w.WriteString("shrink", string.Join('x', s.Shrink));
            w.WriteString("iterations", string.Join('x', s.Iterations));
            Number(w, "tolerance", s.Tolerance);
            w.WriteString("optimizer", s.EffectiveOptimizer == OptimizerKind.Lbfgs ? "lbfgs" : "gradient-descent");
            w.WriteBoolean("pad_to_fast_sizes", s.PadToFastSizes);
            w.WriteNumber("flow_shrink", s.FlowShrink);
            w.WriteNumber("smoothing", s.Smoothing);
            w.WriteString("final_interpolation", DisplacementWarp.Name(s.FinalInterpolation));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary><c>energy.csv</c>: one line per record, header <c>level,iteration,regularity,data,total,seconds</c>.</summary>
    public static string EnergyCsv(IReadOnlyList<EnergyRecord> history)
    {
        var sb = new StringBuilder("level,iteration,regularity,data,total,seconds\n");
        foreach (var r in history)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Level},{r.Iteration},{r.Energy.Regularity:R},{r.Energy.Data:R},{r.Energy.Total:R},{r.Seconds:0.######}\n");
        return sb.ToString();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    private static List<string> WriteAll(RegistrationResult result, Image fixedImage, string folder, string fixedPath)
    {
        var names = new List<string>();
        void WriteImage(string name, Image image, ImageWriteOptions? options = null)
        {
            ImageIO.Write(image, Path.Combine(folder, name), options);
            names.Add(name);
        }
        void Text(string name, string text)
        {
            AtomicFile.Write(Path.Combine(folder, name), s => s.Write(Encoding.UTF8.GetBytes(text)));
            names.Add(name);
        }
        var float32 = new ImageWriteOptions { PixelType = PixelType.Float32 };
        var warped = new Image(result.Warped.Geometry, result.Warped.Data, 1, PixelType.Float32);
        WriteImage("warped.nii.gz", warped, float32);
        string family = FamilyOf(fixedPath);
        if (family == "MetaImage") WriteImage("warped.mha", warped, float32);
        else if (family == "PNG")
        {
            var depth = fixedImage.SourceType == PixelType.UInt16 ? PixelType.UInt16 : PixelType.UInt8;
            WriteImage("warped.png", RoundedForPng(result.Warped, depth), new ImageWriteOptions { PixelType = depth });
        }
        WriteImage("displacement.nii.gz", Image.FromField(result.Displacement), float32);
        WriteImage("inverse_displacement.nii.gz", Image.FromField(result.InverseDisplacement), float32);
        WriteImage("jacobian.nii.gz", Image.FromField(result.Jacobian), float32);
        if (result.Momentum != null) WriteImage("momentum.nii.gz", Image.FromField(result.Momentum), float32);
        else if (result.ScalarMomentum != null) WriteImage("momentum.nii.gz", Image.FromField(result.ScalarMomentum), float32);
        if (result.IntensityChange != null) WriteImage("intensity_change.nii.gz", Image.FromField(result.IntensityChange), float32);
        Text("energy.csv", EnergyCsv(result.History));
        Text("summary.json", SummaryJson(result));
        return names;
    }

    /// <summary>The image-format family of the fixed file (<c>NIfTI</c>, <c>MetaImage</c>, <c>PNG</c>), NIfTI when unknown.</summary>
    private static string FamilyOf(string fixedPath)
    {
        try { return ImageIO.FormatFor(fixedPath).Name; }
        catch (ImageFormatException) { return "NIfTI"; }
    }

    /// <summary>Clamps and rounds to the integer range of a PNG so the preview is exact for integer inputs.</summary>
    private static Image RoundedForPng(Image warped, PixelType depth)
    {
        float max = depth == PixelType.UInt16 ? ushort.MaxValue : byte.MaxValue;
        var data = new float[warped.Data.Length];
        for (int i = 0; i < data.Length; i++) data[i] = MathF.Round(Math.Clamp(warped.Data[i], 0, max));
        return new Image(warped.Geometry, data, 1, depth);
    }

    private static void Publish(string staging, string target, List<string> names, string directory)
    {
        try
        {
            if (!Directory.Exists(target))
            {
                Directory.Move(staging, target);
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!Directory.Exists(target)) throw new ImageFormatException(directory, $"cannot create the output folder ({e.Message}); choose a writable --output.", e);
            // Created concurrently: fall through to moving the files one by one.
        }
        var moved = new List<string>();
        try
        {
            foreach (string name in names)
            {
                string dest = Path.Combine(target, name);
                File.Move(Path.Combine(staging, name), dest, overwrite: true);
                moved.Add(dest);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (string m in moved)
                try { File.Delete(m); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            throw new ImageFormatException(directory, $"cannot write into the output folder ({e.Message}); choose a writable --output.", e);
        }
    }

    private static void TryDeleteFolder(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
