using System.Diagnostics;

namespace Geometrize.Tests;

/// <summary>Runs the built <c>geometrize</c> command as a separate process, as a user would.</summary>
public static class CliRunner
{
    /// <summary>Result of one run.</summary>
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    private static readonly Lazy<string> Dll = new(FindDll);

    /// <summary>Path of the built CLI assembly, for tests that drive the process themselves (signals, streaming output).</summary>
    public static string DllPath => Dll.Value;

    /// <summary>Runs <c>geometrize args…</c> in <paramref name="workingDirectory"/> and waits (at most 5 minutes).</summary>
    public static Result Run(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Dll.Value);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"geometrize {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindDll()
    {
        // tests/Geometrize.Tests/bin/<Configuration>/net10.0/ → src/Geometrize.Cli/bin/<Configuration>/net10.0/Geometrize.Cli.dll
        // (the assembly cannot be named "geometrize": .NET would confuse it with Geometrize.dll, names being case-insensitive).
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = baseDir.Name, config = baseDir.Parent!.Name;
        var dir = baseDir;
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Geometrize.slnx"))) dir = dir.Parent;
        if (dir == null) throw new InvalidOperationException("repository root (Geometrize.slnx) not found above " + AppContext.BaseDirectory);
        string dll = Path.Combine(dir.FullName, "src", "Geometrize.Cli", "bin", config, tfm, "Geometrize.Cli.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not built; build the solution first.");
        return dll;
    }
}
