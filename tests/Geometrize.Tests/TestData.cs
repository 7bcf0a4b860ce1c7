namespace Geometrize.Tests;

/// <summary>Locates the shared real data (<c>../shared/data</c> beside the repository root).</summary>
public static class TestData
{
    /// <summary>The shared data folder, or null when it is not present (tests on real data are then skipped).</summary>
    public static string? SharedDataDirectory { get; } = Find();

    /// <summary>Reason used when skipping.</summary>
    public const string MissingReason = "../shared/data is not present beside the repository; real-data tests skipped.";

    /// <summary>Path of a file under shared/data; skips the calling test when the data are absent.</summary>
    public static string Require(string relative)
    {
        Skip.If(SharedDataDirectory == null, MissingReason);
        string p = Path.Combine(SharedDataDirectory!, relative);
        Skip.IfNot(File.Exists(p), $"{p} is missing; real-data test skipped.");
        return p;
    }

    private static string? Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Geometrize.slnx")))
            {
                string shared = Path.Combine(dir.FullName, "..", "shared", "data");
                return Directory.Exists(shared) ? Path.GetFullPath(shared) : null;
            }
            dir = dir.Parent;
        }
        return null;
    }
}
