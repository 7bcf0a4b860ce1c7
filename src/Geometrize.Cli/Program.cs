using System.Reflection;
using Geometrize.Cli.Commands;
using Geometrize.Reports;

namespace Geometrize.Cli;

/// <summary>Entry point of the <c>geometrize</c> command: dispatch, help and the error policy.</summary>
/// <remarks>
/// Exit codes: 0 success; 1 a <see cref="GeometrizeException"/> (bad file, bad parameter), printed as one line
/// <c>geometrize: error: …</c>; 2 wrong usage (usage line printed); 3 any other exception, printed as one line
/// <c>geometrize: internal error: TYPE: message</c> (the stack trace too when GEOMETRIZE_DEBUG=1).
/// </remarks>
public static class Program
{
    /// <summary>The command table: one line per command.</summary>
    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new InfoCommand(),
        new ConvertCommand(),
        new RegisterCommand(),
        new ApplyCommand(),
        new SynthesizeCommand(),
        new CompareCommand(),
        new DemoCommand(),
        new NetCommand(),
    ];

    private static readonly OptionSpec HelpOption = new("help", null, "show this help and exit");

    /// <summary>Runs a command and returns the process exit code.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the tool with explicit output writers (exit code returned, nothing thrown).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            GeometrizeReports.RegisterFormats();
            return Dispatch(args, stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"geometrize: {e.Message}");
            stderr.WriteLine($"usage: geometrize {e.Usage}");
            return 2;
        }
        catch (GeometrizeException e)
        {
            stderr.WriteLine($"geometrize: error: {OneLine(e.Message)}");
            if (Debug) stderr.WriteLine(e);
            return 1;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"geometrize: internal error: {e.GetType().FullName}: {OneLine(e.Message)}");
            if (Debug) stderr.WriteLine(e);
            return 3;
        }
        finally
        {
            stdout.Flush();
            stderr.Flush();
        }
    }

    private static bool Debug => Environment.GetEnvironmentVariable("GEOMETRIZE_DEBUG") == "1";

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    private static int Dispatch(string[] args, TextWriter stdout, TextWriter stderr)
    {
        const string ToolUsage = "COMMAND [OPTIONS] (see 'geometrize --help')";
        if (args.Length == 0)
            throw new UsageException("no command given.", ToolUsage);
        string first = args[0];
        if (first is "--help" or "-h" or "help")
        {
            if (first == "help" && args.Length > 1) { WriteCommandHelp(Find(args[1], ToolUsage), stdout); return 0; }
            WriteToolHelp(stdout);
            return 0;
        }
        if (first == "--version") { stdout.WriteLine($"geometrize {Version}"); return 0; }
        if (first.StartsWith('-'))
            throw new UsageException($"unknown option '{first}'; see 'geometrize --help'.", ToolUsage);
        var command = Find(first, ToolUsage);
        var rest = args.Skip(1).ToArray();
        if (rest.TakeWhile(a => a != "--").Any(a => a is "--help" or "-h")) { WriteCommandHelp(command, stdout); return 0; }
        var specs = command.Options.Append(HelpOption).ToArray();
        var cl = CommandLine.Parse(rest, specs, command.Usage, $"geometrize {command.Name} --help");
        return command.Run(cl, stdout, stderr);
    }

    private static ICommand Find(string name, string toolUsage) =>
        Commands.FirstOrDefault(c => c.Name == name)
        ?? throw new UsageException($"unknown command '{name}'; commands: {string.Join(", ", Commands.Select(c => c.Name))}; see 'geometrize --help'.", toolUsage);

    /// <summary>The tool's informational version (from the assembly).</summary>
    public static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Program).Assembly.GetName().Version?.ToString() ?? "0";

    private static void WriteToolHelp(TextWriter o)
    {
        o.WriteLine("geometrize: diffeomorphic image registration and flows.");
        o.WriteLine();
        o.WriteLine("usage: geometrize COMMAND [OPTIONS]");
        o.WriteLine("       geometrize COMMAND --help     help for one command");
        o.WriteLine("       geometrize --version");
        o.WriteLine();
        o.WriteLine("commands:");
        int w = Commands.Max(c => c.Name.Length);
        foreach (var c in Commands) o.WriteLine($"  {c.Name.PadRight(w)}  {c.Summary}");
        o.WriteLine();
        o.WriteLine("exit codes: 0 success, 1 error (bad file or parameter), 2 wrong usage, 3 internal error.");
    }

    private static void WriteCommandHelp(ICommand c, TextWriter o)
    {
        o.WriteLine($"usage: geometrize {c.Usage}");
        o.WriteLine();
        o.WriteLine(c.Summary);
        if (c.Description.Length > 0) { o.WriteLine(); o.WriteLine(c.Description.TrimEnd()); }
        var specs = c.Options.Append(HelpOption).ToArray();
        o.WriteLine();
        o.WriteLine("options:");
        var left = specs.Select(s => s.TakesValue ? $"--{s.Name} {s.ValueName}" : $"--{s.Name}").ToArray();
        int w = left.Max(l => l.Length);
        for (int i = 0; i < specs.Length; i++) o.WriteLine($"  {left[i].PadRight(w)}  {specs[i].Help}");
    }
}
