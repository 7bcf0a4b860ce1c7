using System.Globalization;

namespace Geometrize.Cli;

/// <summary>Wrong command-line usage (unknown option, missing argument); the tool prints usage and exits with 2.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception; <paramref name="usage"/> is the usage line of the command concerned.</summary>
    public UsageException(string message, string usage) : base(message) => Usage = usage;

    /// <summary>Usage line to print after the message.</summary>
    public string Usage { get; }
}

/// <summary>One option a command accepts.</summary>
/// <param name="Name">Long name without dashes (<c>json</c> for <c>--json</c>).</param>
/// <param name="ValueName">Placeholder of the value (<c>TYPE</c>), or null for a flag.</param>
/// <param name="Help">One-line description for <c>--help</c>.</param>
public sealed record OptionSpec(string Name, string? ValueName, string Help)
{
    /// <summary>True when the option takes a value.</summary>
    public bool TakesValue => ValueName != null;
}

/// <summary>
/// Parsed arguments of one command: positionals in order, options by name. Accepts <c>--name value</c>,
/// <c>--name=value</c> and <c>--flag</c>; <c>--</c> ends option parsing so that file names may start with dashes.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly string _usage;

    private CommandLine(string usage) => _usage = usage;

    /// <summary>Positional arguments in order.</summary>
    public IReadOnlyList<string> Positionals { get; private set; } = [];

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="specs"/>; an unknown option or a missing value throws
    /// <see cref="UsageException"/> naming it.
    /// </summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs, string usage, string helpHint)
    {
        var cl = new CommandLine(usage);
        var pos = new List<string>();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (optionsEnded || !a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                if (a == "--" && !optionsEnded) { optionsEnded = true; continue; }
                pos.Add(a);
                continue;
            }
            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            var spec = specs.FirstOrDefault(s => s.Name == name)
                ?? throw new UsageException($"unknown option '--{name}'; see '{helpHint}'.", usage);
            if (cl._options.ContainsKey(name))
                throw new UsageException($"option '--{name}' given more than once.", usage);
            if (spec.TakesValue)
            {
                if (inline == null)
                {
                    if (i + 1 >= args.Count) throw new UsageException($"option '--{name}' needs a value ({spec.ValueName}).", usage);
                    inline = args[++i];
                }
                cl._options[name] = inline;
            }
            else
            {
                if (inline != null) throw new UsageException($"option '--{name}' is a flag and takes no value.", usage);
                cl._options[name] = null;
            }
        }
        cl.Positionals = pos;
        return cl;
    }

    /// <summary>True when the flag or option was given.</summary>
    public bool Has(string name) => _options.ContainsKey(name);

    /// <summary>
    /// Applies <c>--threads N</c> (when given) to <see cref="Geometrize.Numerics.Parallelism.MaxDegreeOfParallelism"/>.
    /// </summary>
    /// <exception cref="InvalidParameterException">N is below 1.</exception>
    public void ApplyThreads()
    {
        if (!Has("threads")) return;
        int threads = GetInt("threads", 0);
        if (threads < 1) throw new InvalidParameterException("--threads", $"must be at least 1, got {threads}.");
        Geometrize.Numerics.Parallelism.MaxDegreeOfParallelism = threads;
    }

    /// <summary>The option's value, or <paramref name="fallback"/> when absent.</summary>
    public string? GetString(string name, string? fallback = null) => _options.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>The option as an integer, or <paramref name="fallback"/> when absent; a malformed value is a usage error.</summary>
    public int GetInt(string name, int fallback)
    {
        string? v = GetString(name);
        if (v == null) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r)
            ? r : throw new UsageException($"option '--{name}' expects an integer, got '{v}'.", _usage);
    }

    /// <summary>The option as a number (invariant culture), or <paramref name="fallback"/> when absent.</summary>
    public double GetDouble(string name, double fallback)
    {
        string? v = GetString(name);
        if (v == null) return fallback;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && double.IsFinite(r)
            ? r : throw new UsageException($"option '--{name}' expects a number, got '{v}'.", _usage);
    }

    /// <summary>Checks the number of positionals, naming what is missing or extra.</summary>
    public void RequirePositionals(int min, int max, string what)
    {
        if (Positionals.Count < min) throw new UsageException($"missing argument(s): expected {what}.", _usage);
        if (Positionals.Count > max) throw new UsageException($"unexpected argument '{Positionals[max]}': expected {what}.", _usage);
    }
}
