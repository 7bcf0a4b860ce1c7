namespace Geometrize.Cli;

/// <summary>Entry point of the <c>geometrize</c> command.</summary>
public static class Program
{
    /// <summary>Runs a command and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        Console.WriteLine("geometrize");
        return 0;
    }
}
