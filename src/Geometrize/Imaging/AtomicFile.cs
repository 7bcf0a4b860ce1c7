namespace Geometrize.Imaging;

/// <summary>
/// Writes files so that a failure never leaves a half-written output: data goes to a temporary file in the
/// target folder, which is renamed over the target only when complete.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; the file appears only on success.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir))
            throw new ImageFormatException(path, $"the folder '{dir}' does not exist; create it first.");
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            TryDelete(tmp);
            throw new ImageFormatException(path, "cannot write here (permission denied); choose another output folder.", e);
        }
        catch (IOException e)
        {
            TryDelete(tmp);
            throw new ImageFormatException(path, $"cannot write: {e.Message}", e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private static void TryDelete(string p)
    {
        try { if (File.Exists(p)) File.Delete(p); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
