using System.Numerics;

namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>
/// Strided batch of equal-shape products for <see cref="Gemm.MultiplyBatched{T}"/>. Products too small to be worth
/// splitting run whole, one per worker (each on that worker's own packing buffers); larger ones run in turn with
/// the parallel driver. Both give each product exactly what a single <see cref="Gemm.Multiply{T}"/> would.
/// One instance per calling thread holds the call's state and a cached delegate: no closure per call.
/// </summary>
internal sealed unsafe class GemmBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmBatch<T>? t_context;

    /// <summary>This thread's context (created on first use).</summary>
    public static GemmBatch<T> ForThisThread => t_context ??= new GemmBatch<T>();

    // A product worth at least this many multiply-adds keeps all threads busy on its own.
    private const long ParallelInsideThreshold = 1L << 21;

    private T* _a, _b, _c;
    private long _strideA, _strideB, _strideC;
    private int _m, _n, _k;
    private bool _ta, _tb, _forceBlocked;
    private T _alpha, _beta;
    private GemmKernelKind? _kernel;
    private readonly Action<int, int> _items;

    private GemmBatch() => _items = Items;

    /// <summary>Runs the batch; operands are validated by the caller.</summary>
    public void Run(T* a, long strideA, T* b, long strideB, T* c, long strideC, int batch, int m, int n, int k,
        bool ta, bool tb, T alpha, T beta, GemmKernelKind? kernel, bool forceBlocked)
    {
        _a = a; _b = b; _c = c; _strideA = strideA; _strideB = strideB; _strideC = strideC;
        _m = m; _n = n; _k = k; _ta = ta; _tb = tb; _alpha = alpha; _beta = beta; _kernel = kernel; _forceBlocked = forceBlocked;
        long work = (long)m * n * k;
        try
        {
            if (work >= ParallelInsideThreshold)
            {
                for (int i = 0; i < batch; i++)
                    Gemm.MultiplyCore(a + i * strideA, b + i * strideB, c + i * strideC, m, n, k, ta, tb, alpha, beta, kernel, forceBlocked, parallel: true);
            }
            else
            {
                Parallelism.For(batch, Math.Max(work, (long)m * n), _items);
            }
        }
        finally
        {
            _a = _b = _c = null;
        }
    }

    private void Items(int start, int end)
    {
        for (int i = start; i < end; i++)
            Gemm.MultiplyCore(_a + i * _strideA, _b + i * _strideB, _c + i * _strideC, _m, _n, _k, _ta, _tb, _alpha, _beta,
                _kernel, _forceBlocked, parallel: false);
    }
}
