using System.Numerics;

namespace Geometrize.Numerics.Fourier;

/// <summary>
/// Two ping-pong buffers in the batched row layout, owned by one worker for the duration of a chunk.
/// </summary>
internal sealed class FftWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Allocates both buffers with <paramref name="length"/> values.</summary>
    public FftWorkspace(int length) { A = new T[length]; B = new T[length]; }

    /// <summary>First buffer (input of a transform).</summary>
    public T[] A { get; }
    /// <summary>Second buffer (ping-pong partner).</summary>
    public T[] B { get; }
}

/// <summary>
/// A fixed set of workspaces shared by the parallel chunks of one plan. Chunks claim a free slot with an
/// interlocked flag, so no allocation happens per call once a slot has been used; slots for the current
/// <see cref="Parallelism.MaxDegreeOfParallelism"/> are allocated up front.
/// </summary>
internal sealed class FftWorkspacePool<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FftWorkspace<T>?[] _slots;
    private readonly int[] _busy;
    private readonly int _length;

    /// <summary>Creates the pool; each workspace buffer holds <paramref name="length"/> values.</summary>
    public FftWorkspacePool(int length)
    {
        _length = length;
        int degree = Parallelism.MaxDegreeOfParallelism;
        int capacity = Math.Max(Environment.ProcessorCount, degree) * 4 + 1;
        _slots = new FftWorkspace<T>?[capacity];
        _busy = new int[capacity];
        for (int i = 0; i < Math.Min(degree + 1, capacity); i++) _slots[i] = new FftWorkspace<T>(length);
    }

    /// <summary>Claims a workspace; pass the returned slot to <see cref="Return"/> when done.</summary>
    public FftWorkspace<T> Rent(out int slot)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _busy[i], 1, 0) != 0) continue;
            slot = i;
            return _slots[i] ??= new FftWorkspace<T>(_length);
        }
        // More concurrent chunks than slots can only happen if the thread setting grew far beyond the
        // processor count after construction; a temporary workspace keeps the result correct.
        slot = -1;
        return new FftWorkspace<T>(_length);
    }

    /// <summary>Releases a workspace obtained from <see cref="Rent"/>.</summary>
    public void Return(int slot)
    {
        if (slot >= 0) Volatile.Write(ref _busy[slot], 0);
    }
}
