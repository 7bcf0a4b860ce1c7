namespace Geometrize.Cli.Commands;

/// <summary>
/// The common frame of the long <c>net</c> commands: Ctrl-C (first press) and SIGTERM cancel the work cleanly, the
/// outputs are written into a hidden staging folder and renamed onto the output folder only when complete, and a
/// cancelled or failed run leaves nothing behind.
/// </summary>
internal static class StagedRun
{
    /// <summary>
    /// Runs <paramref name="work"/> with a cancellation token; it writes its outputs into the staging folder it is given
    /// (not yet created) and returns what to print once they are committed to <paramref name="target"/>.
    /// Returns 0, or <see cref="RegistrationSession.CancelledExitCode"/> after a cancellation.
    /// </summary>
    public static int Execute(string target, TextWriter stderr, Func<string, CancellationToken, Action> work)
    {
        using var cts = new CancellationTokenSource();
        int presses = 0;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C asks for a clean stop; a second one is left to the runtime.
            if (Interlocked.Increment(ref presses) == 1) { e.Cancel = true; cts.Cancel(); }
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = NetTrain.TryRegisterTerm(cts);
        string staging = NetTrain.StagingFolder(target);
        try
        {
            var report = work(staging, cts.Token);
            cts.Token.ThrowIfCancellationRequested();
            NetTrain.Commit(staging, target);
            report();
            return 0;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("geometrize: cancelled; no output written");
            return RegistrationSession.CancelledExitCode;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            if (Directory.Exists(staging)) NetTrain.TryDeleteFolder(staging);
        }
    }
}
