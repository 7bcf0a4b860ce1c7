using System.Globalization;
using Geometrize.Registration;

namespace Geometrize.Cli;

/// <summary>
/// Shows the progress of a registration on standard error. On a terminal it redraws one line in place:
/// <c>level 2/3 [#####.....] it 34/50  E=1.234e+02 (reg 1.2e+01, data 1.1e+02)  12.3 s, ~4 s left</c>;
/// when standard error is redirected (a log file, a pipe) it prints that text as plain lines instead, at most one
/// every half second, plus one when a level starts and one when it uses up its iteration budget, so logs stay short.
/// </summary>
/// <remarks>
/// Throttling uses the elapsed time carried by each report, not a clock of its own, so the output for a given
/// sequence of reports is deterministic. Reports may come from any thread; they are serialised.
/// </remarks>
public sealed class ProgressBar : IProgress<RegistrationProgress>
{
    /// <summary>Least time between two plain lines.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(0.5);
    /// <summary>Least time between two redraws of the terminal line (fast enough to look live, cheap to draw).</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromSeconds(0.05);
    private const int BarWidth = 10;

    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly Lock _gate = new();
    private int _lastLevel = -1, _lastLength;
    private TimeSpan _lastShown = TimeSpan.MinValue;
    private bool _lineOpen;

    /// <summary>Creates a progress display writing to <paramref name="output"/>; <paramref name="interactive"/> selects the redrawn line.</summary>
    public ProgressBar(TextWriter output, bool interactive)
    {
        _output = output;
        _interactive = interactive;
    }

    /// <summary>
    /// The display for the console's standard error (<paramref name="stderr"/>), redrawn in place when it is a terminal;
    /// null when <paramref name="quiet"/> (nothing is shown).
    /// </summary>
    public static ProgressBar? ForStandardError(TextWriter stderr, bool quiet) =>
        quiet ? null : new ProgressBar(stderr, interactive: !Console.IsErrorRedirected);

    /// <inheritdoc />
    public void Report(RegistrationProgress value)
    {
        lock (_gate)
        {
            bool newLevel = value.Level != _lastLevel;
            var interval = _interactive ? RedrawInterval : PlainInterval;
            if (!newLevel && value.Elapsed - _lastShown < interval && value.Iteration < value.MaxIterations) return;
            string line = Format(value);
            if (_interactive)
            {
                // A new level keeps the finished level's last line on screen and starts a fresh one.
                if (newLevel && _lineOpen) _output.WriteLine();
                _output.Write("\r" + line + new string(' ', Math.Max(0, (newLevel ? 0 : _lastLength) - line.Length)));
                _lineOpen = true;
            }
            else
            {
                _output.WriteLine(line);
            }
            _output.Flush();
            _lastLevel = value.Level;
            _lastShown = value.Elapsed;
            _lastLength = line.Length;
        }
    }

    /// <summary>Ends the redrawn line so that what follows starts on a new line; call when the registration ends.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_interactive && _lineOpen) _output.WriteLine();
            _lineOpen = false;
            _output.Flush();
        }
    }

    /// <summary>The text of one progress report.</summary>
    public static string Format(RegistrationProgress p)
    {
        var inv = CultureInfo.InvariantCulture;
        int filled = p.MaxIterations > 0 ? (int)Math.Round(BarWidth * Math.Clamp((double)p.Iteration / p.MaxIterations, 0, 1)) : BarWidth;
        string bar = new string('#', filled) + new string('.', BarWidth - filled);
        string time = p.Elapsed.TotalSeconds.ToString("0.0", inv) + " s";
        if (p.Remaining is { } left) time += ", ~" + Math.Ceiling(left.TotalSeconds).ToString("0", inv) + " s left";
        return string.Create(inv,
            $"level {p.Level + 1}/{p.Levels} [{bar}] it {p.Iteration}/{p.MaxIterations}  E={p.Energy.Total:0.000e+00} " +
            $"(reg {p.Energy.Regularity:0.0e+00}, data {p.Energy.Data:0.0e+00})  {time}");
    }
}
