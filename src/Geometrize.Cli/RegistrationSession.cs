using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Registration;
using Geometrize.Reports;

namespace Geometrize.Cli;

/// <summary>
/// One registration as the CLI runs it (shared by <c>register</c> and <c>demo</c>): Ctrl-C and SIGTERM cancel it,
/// progress goes to standard error, and the outputs plus <c>report.png</c> appear in the output folder all together
/// or not at all.
/// </summary>
public static class RegistrationSession
{
    /// <summary>Exit code of a cancelled run (128 + SIGINT, as shells report an interrupted command).</summary>
    public const int CancelledExitCode = 130;

    /// <summary>
    /// Runs the registration and writes its outputs and <c>report.png</c> into <paramref name="outputDir"/>; returns the
    /// result and the written files. Throws <see cref="OperationCanceledException"/> when cancelled, after removing
    /// anything already written.
    /// </summary>
    public static (RegistrationResult Result, IReadOnlyList<string> Files) Execute(Image fixedImage, Image movingImage, string fixedPath,
        RegistrationSettings settings, string outputDir, bool quiet, TextWriter stderr)
    {
        using var cts = new CancellationTokenSource();
        int presses = 0;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C asks for a clean stop; a second one is left to the runtime and ends the process.
            if (Interlocked.Increment(ref presses) == 1) { e.Cancel = true; cts.Cancel(); }
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = TryRegister(PosixSignal.SIGTERM, cts);
        var progress = ProgressBar.ForStandardError(stderr, quiet);
        bool existed = Directory.Exists(outputDir);
        var written = new List<string>();
        try
        {
            RegistrationResult result;
            try
            {
                result = ImageRegistration.Run(fixedImage, movingImage, settings, progress, cts.Token);
            }
            finally
            {
                progress?.Finish();
            }
            cts.Token.ThrowIfCancellationRequested();
            written.AddRange(RegistrationOutputs.Write(result, fixedImage, outputDir, fixedPath));
            string report = Path.Combine(outputDir, "report.png");
            RegistrationReport.Render(result, fixedImage, report);
            written.Add(Path.GetFullPath(report));
            // A cancel that arrived while writing still means "leave nothing behind".
            cts.Token.ThrowIfCancellationRequested();
            return (result, written);
        }
        catch
        {
            RemoveOutputs(written, outputDir, existed);
            throw;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Fails early — before a long registration — when <paramref name="dir"/> cannot be written: it is a file, a part
    /// of its path is a file, or its nearest existing folder refuses a probe file. Creates nothing.
    /// </summary>
    public static void RequireWritableFolder(string dir, string option)
    {
        string full;
        try { full = Path.GetFullPath(dir); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InvalidParameterException(option, $"'{dir}' is not a valid folder name ({e.Message}).");
        }
        if (File.Exists(full)) throw new InvalidParameterException(option, $"'{dir}' is an existing file, not a folder; choose another output folder.");
        string? existing = full;
        while (existing != null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new InvalidParameterException(option, $"cannot create '{dir}': '{existing}' is a file; choose another output folder.");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing == null) throw new InvalidParameterException(option, $"cannot create '{dir}': no existing parent folder.");
        string probe = Path.Combine(existing, $".geometrize-probe-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidParameterException(option, $"cannot write in '{existing}' ({e.Message}); choose a writable output folder.");
        }
    }

    /// <summary>
    /// Prints the summary as an aligned table (the scalar entries of <see cref="RegistrationOutputs.SummaryJson"/>,
    /// so the table and <c>summary.json</c> always agree; the settings are in the file).
    /// </summary>
    public static void WriteSummaryTable(TextWriter o, RegistrationResult result)
    {
        using var doc = JsonDocument.Parse(RegistrationOutputs.SummaryJson(result));
        var rows = new List<(string Key, string Value)>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            string? v = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.GetDouble().ToString("G6", CultureInfo.InvariantCulture),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => "n/a",
                _ => null,
            };
            if (v != null) rows.Add((p.Name, v));
        }
        int w = rows.Max(r => r.Key.Length);
        foreach (var (k, v) in rows) o.WriteLine($"  {k.PadRight(w)}  {v}");
    }

    private static PosixSignalRegistration? TryRegister(PosixSignal signal, CancellationTokenSource cts)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, ctx => { ctx.Cancel = true; cts.Cancel(); });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    private static void RemoveOutputs(List<string> written, string outputDir, bool existed)
    {
        foreach (string f in written)
        {
            try { File.Delete(f); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        try
        {
            if (!existed && Directory.Exists(outputDir) && !Directory.EnumerateFileSystemEntries(outputDir).Any()) Directory.Delete(outputDir);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
