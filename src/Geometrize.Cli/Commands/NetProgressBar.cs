using System.Globalization;
using Geometrize.Networks.Training;

namespace Geometrize.Cli.Commands;

/// <summary>
/// Training progress on standard error, in the manner of <see cref="ProgressBar"/>: on a terminal one line redrawn in
/// place, <c>epoch 3/10 [#####.....] batch 120/469  loss 0.4321  12.3 s</c>, ended by a summary line per epoch;
/// when standard error is redirected only the per-epoch lines (and a plain progress line at most every 5 s).
/// </summary>
public sealed class NetProgressBar : IProgress<TrainingProgress>
{
    private const int BarWidth = 10;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromSeconds(0.05), PlainInterval = TimeSpan.FromSeconds(5);
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly Lock _gate = new();
    private TimeSpan _lastShown = TimeSpan.FromDays(-1);
    private int _lastLength;
    private bool _lineOpen;

    /// <summary>Creates the display; <paramref name="interactive"/> selects the redrawn line.</summary>
    public NetProgressBar(TextWriter output, bool interactive)
    {
        _output = output;
        _interactive = interactive;
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        lock (_gate)
        {
            var interval = _interactive ? RedrawInterval : PlainInterval;
            if (value.Elapsed - _lastShown < interval && value.Batch < value.Batches) return;
            if (!_interactive && value.Batch == value.Batches) return; // the epoch line follows
            string line = Format(value);
            if (_interactive)
            {
                _output.Write("\r" + line + new string(' ', Math.Max(0, _lastLength - line.Length)));
                _lineOpen = true;
            }
            else _output.WriteLine(line);
            _output.Flush();
            _lastShown = value.Elapsed;
            _lastLength = line.Length;
        }
    }

    /// <summary>Writes the summary line of a finished epoch (replacing the redrawn line).</summary>
    public void Epoch(EpochRecord record, int epochs)
    {
        lock (_gate)
        {
            var inv = CultureInfo.InvariantCulture;
            string acc = double.IsNaN(record.TrainAccuracy) ? "" : string.Create(inv, $"  train acc {record.TrainAccuracy:P2}");
            if (!double.IsNaN(record.TestAccuracy)) acc += string.Create(inv, $"  test acc {record.TestAccuracy:P2}");
            string cpu = double.IsNaN(record.CpuSeconds) ? "" : string.Create(inv, $" (cpu {record.CpuSeconds:0.0} s)");
            string line = string.Create(inv, $"epoch {record.Epoch}/{epochs}  loss {record.Loss:0.0000}{acc}  {record.Seconds:0.0} s{cpu}");
            if (_interactive && _lineOpen) _output.Write("\r" + line + new string(' ', Math.Max(0, _lastLength - line.Length)) + Environment.NewLine);
            else _output.WriteLine(line);
            _lineOpen = false;
            _lastLength = 0;
            _output.Flush();
        }
    }

    /// <summary>Ends an open redrawn line.</summary>
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
    public static string Format(TrainingProgress p)
    {
        int filled = p.Batches > 0 ? (int)Math.Round(BarWidth * Math.Clamp((double)p.Batch / p.Batches, 0, 1)) : BarWidth;
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', BarWidth - filled)}] batch {p.Batch}/{p.Batches}  loss {p.Loss:0.0000}  {p.Elapsed.TotalSeconds:0.0} s");
    }
}
