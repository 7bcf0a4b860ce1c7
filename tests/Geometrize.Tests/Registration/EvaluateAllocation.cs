using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;
using Xunit.Abstractions;

namespace Geometrize.Tests.Registration;

/// <summary>
/// The shared check that a problem's Evaluate allocates nothing proportional to the grid: bytes allocated on the
/// calling thread per Evaluate after two warm-up calls, on a 48² and a 160² disc/square pair. Run single-threaded
/// so that all work (and all allocation) happens on the calling thread; Parallel.For adds ~2 KB per call on its own.
/// What remains are the closures of the parallel loops, a few hundred bytes per kernel call, the same on both grids.
/// </summary>
internal static class EvaluateAllocation
{
    /// <summary>Bytes allocated by one Evaluate of <paramref name="create"/>(fixed, moving) on an n² grid, after warm-up.</summary>
    public static long PerEvaluate(Func<ScalarField<float>, ScalarField<float>, IRegistrationProblem<float>> create, int n)
    {
        var problem = create(Phantoms.Square(n, n * 0.6), Phantoms.Disc(n, n * 0.3));
        var x = new float[problem.Dimension];
        for (int i = 0; i < x.Length; i++) x[i] = 0.5f * MathF.Sin(i * 0.01f);
        var grad = new float[x.Length];
        problem.Evaluate(x, grad);
        problem.Evaluate(x, grad);
        const int calls = 3;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int c = 0; c < calls; c++) problem.Evaluate(x, grad);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
    }

    /// <summary>
    /// Asserts that the 48² and 160² allocations differ by less than 8 KB (a twelfth of one 160² field; the runtime's
    /// own bookkeeping on a loaded machine has been seen to add ~3 KB) and that the larger stays below
    /// <paramref name="maxBytes"/>.
    /// </summary>
    public static void AssertIndependentOfGrid(ITestOutputHelper output, Func<ScalarField<float>, ScalarField<float>, IRegistrationProblem<float>> create, long maxBytes)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        long small, large;
        try
        {
            Parallelism.MaxDegreeOfParallelism = 1;
            small = PerEvaluate(create, 48);
            large = PerEvaluate(create, 160);
        }
        finally { Parallelism.MaxDegreeOfParallelism = saved; }
        output.WriteLine($"bytes per Evaluate: {small} (48²), {large} (160²); one 160² field is {160 * 160 * 4} bytes");
        Assert.True(Math.Abs(large - small) < 8192, $"allocation grows with the grid: {small} -> {large}");
        Assert.True(large < maxBytes, $"{large} bytes per Evaluate");
    }
}
