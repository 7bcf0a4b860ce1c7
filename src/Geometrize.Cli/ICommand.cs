namespace Geometrize.Cli;

/// <summary>
/// One sub-command of the tool. Adding a command means writing one class implementing this interface and adding
/// one line to <see cref="Program.Commands"/>; parsing, <c>--help</c> and error handling are shared.
/// </summary>
public interface ICommand
{
    /// <summary>The word typed after <c>geometrize</c>.</summary>
    string Name { get; }
    /// <summary>One line shown in the tool's command list.</summary>
    string Summary { get; }
    /// <summary>Usage line without the tool name, e.g. <c>info FILE [--json]</c>.</summary>
    string Usage { get; }
    /// <summary>Longer help text printed after the usage line (may be empty).</summary>
    string Description { get; }
    /// <summary>Options the command accepts (<c>--help</c> is added by the dispatcher).</summary>
    IReadOnlyList<OptionSpec> Options { get; }
    /// <summary>Runs the command; returns the exit code. Errors are thrown, not printed.</summary>
    int Run(CommandLine args, TextWriter stdout, TextWriter stderr);
}
