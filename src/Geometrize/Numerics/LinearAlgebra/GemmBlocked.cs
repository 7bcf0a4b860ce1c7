using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>Which micro-kernel the blocked GEMM runs.</summary>
internal enum GemmKernelKind
{
    /// <summary>Portable scalar code (any <c>IFloatingPointIeee754</c> type).</summary>
    Scalar,
    /// <summary>6 × 2·Vector256 with FMA (AVX2 + FMA3).</summary>
    Vector256,
    /// <summary>6 × 2·Vector512 with FMA (AVX-512F).</summary>
    Vector512,
}

/// <summary>
/// The blocked GEMM driver (Goto and van de Geijn 2008; the BLIS five-loop structure): C is swept in NC-column
/// panels; for each KC-deep slice of k the slice of op(B) is packed once (sized for L3) and shared by all
/// threads; each thread packs MC-row blocks of op(A) (sized for L2) and multiplies them against the packed B
/// one NR-column micro-panel (sized for L1) at a time. Threads split C into disjoint row (or column) ranges
/// aligned to micro-tiles, and every element of C is accumulated in the same order whatever the split, so
/// results are bitwise independent of the thread count. One context per thread holds the call's state and
/// cached delegates, so a call allocates nothing beyond the pooled packing buffers.
/// </summary>
internal sealed unsafe class GemmBlocked<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmBlocked<T>? t_context;

    /// <summary>This thread's context (created on first use).</summary>
    public static GemmBlocked<T> ForThisThread => t_context ??= new GemmBlocked<T>();

    private const int MR = GemmMicroKernels.MR;

    // Call state, written by the calling thread before any parallel section and only read by workers.
    private T* _a, _b, _c;
    private int _m, _n, _k;
    private bool _ta, _tb;
    private T _alpha, _beta;
    private delegate*<int, T*, T*, T*, nint, T, T, void> _kernel;
    private int _nr, _mc;

    // Block state: the current NC × KC slice.
    private int _jc, _nc, _pc, _kc;
    private T _betaBlock;
    private T* _packedB;

    private readonly Action<int, int> _packB, _computeRows, _computeColumns;

    private GemmBlocked()
    {
        _packB = PackBPanels;
        _computeRows = ComputeRows;
        _computeColumns = ComputeColumns;
    }

    /// <summary>The kernel used when tests do not force one: the widest accelerated vector kernel for float and double.</summary>
    public static GemmKernelKind BestKernel()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) return GemmKernelKind.Scalar;
        if (Vector512.IsHardwareAccelerated) return GemmKernelKind.Vector512;
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return GemmKernelKind.Vector256;
        return GemmKernelKind.Scalar;
    }

    /// <summary>
    /// C ← α·op(A)·op(B) + β·C for m, n, k ≥ 1 (β zero overwrites C). Row-major, leading dimensions k/m for A,
    /// n/k for B and n for C. <paramref name="parallel"/> false keeps the call on this thread.
    /// </summary>
    public void Run(T* a, T* b, T* c, int m, int n, int k, bool ta, bool tb, T alpha, T beta, GemmKernelKind kind, bool parallel)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) kind = GemmKernelKind.Scalar;
        switch (kind)
        {
            case GemmKernelKind.Vector512:
                _kernel = &GemmMicroKernels.Vector512Kernel<T>;
                _nr = GemmMicroKernels.Vector512NR<T>();
                break;
            case GemmKernelKind.Vector256:
                _kernel = &GemmMicroKernels.Vector256Kernel<T>;
                _nr = GemmMicroKernels.Vector256NR<T>();
                break;
            default:
                _kernel = &GemmMicroKernels.Scalar<T>;
                _nr = GemmMicroKernels.ScalarNR;
                break;
        }
        _a = a; _b = b; _c = c; _m = m; _n = n; _k = k; _ta = ta; _tb = tb; _alpha = alpha; _beta = beta;

        // Block sizes for 32 KiB L1 / 512 KiB L2 per core (Zen 3, similar on recent Intel): a KC×NR panel of B
        // is 16 KiB, an MC×KC block of A about 144 KiB. Blocks along k are balanced so that no thin remainder
        // slice pays the tile store for little work; the k blocking alone fixes the summation order.
        int kcMax = 256, ncMax = 4080 / _nr * _nr;
        _mc = sizeof(T) == 4 ? 144 : 72;
        int kBlocks = (k + kcMax - 1) / kcMax;
        int kcBalanced = (k + kBlocks - 1) / kBlocks;
        int ncBuffer = Math.Min(ncMax, (n + _nr - 1) / _nr * _nr);
        T* packedB = GemmBuffers<T>.PackedB((long)kcBalanced * ncBuffer);

        for (int jc = 0; jc < n; jc += ncMax)
        {
            _jc = jc;
            _nc = Math.Min(ncMax, n - jc);
            int nPanels = (_nc + _nr - 1) / _nr;
            int mPanels = (m + MR - 1) / MR;
            for (int pc = 0; pc < k; pc += kcBalanced)
            {
                _pc = pc;
                _kc = Math.Min(kcBalanced, k - pc);
                _betaBlock = pc == 0 ? beta : T.One;
                _packedB = packedB;
                if (parallel)
                {
                    Parallelism.For(nPanels, (long)_nr * _kc, _packB);
                    // Split the dimension with more micro-tiles; a wide, short C would leave threads idle by rows.
                    if (mPanels >= nPanels) Parallelism.For(mPanels, (long)MR * _kc * _nc, _computeRows);
                    else Parallelism.For(nPanels, (long)_nr * _kc * m, _computeColumns);
                }
                else
                {
                    PackBPanels(0, nPanels);
                    ComputeRows(0, mPanels);
                }
            }
        }
        _a = _b = _c = _packedB = null;
    }

    private void PackBPanels(int q0, int q1) =>
        GemmPacking.PackB(_b, _n, _k, _tb, _pc, _kc, _jc, _nc, _nr, q0, q1, _packedB);

    // Rows [q0·MR, q1·MR) of C against the whole current column panel.
    private void ComputeRows(int q0, int q1)
    {
        int i1 = Math.Min(q1 * MR, _m);
        T* packedA = GemmBuffers<T>.PackedA((long)_mc * _kc);
        for (int ic = q0 * MR; ic < i1; ic += _mc)
        {
            int mc = Math.Min(_mc, i1 - ic);
            GemmPacking.PackA(_a, _m, _k, _ta, ic, mc, _pc, _kc, packedA);
            MacroKernel(packedA, ic, mc, 0, _nc);
        }
    }

    // Columns [q0·NR, q1·NR) of the current column panel against all rows of C.
    private void ComputeColumns(int q0, int q1)
    {
        int j0 = q0 * _nr, j1 = Math.Min(q1 * _nr, _nc);
        T* packedA = GemmBuffers<T>.PackedA((long)_mc * _kc);
        for (int ic = 0; ic < _m; ic += _mc)
        {
            int mc = Math.Min(_mc, _m - ic);
            GemmPacking.PackA(_a, _m, _k, _ta, ic, mc, _pc, _kc, packedA);
            MacroKernel(packedA, ic, mc, j0, j1);
        }
    }

    // One packed MC×KC block of A times columns [j0, j1) of the packed KC×NC panel of B: the B micro-panel stays
    // in L1 while every A micro-panel of the block streams past it from L2.
    private void MacroKernel(T* packedA, int ic, int mc, int j0, int j1)
    {
        int nr = _nr, kc = _kc;
        nint ldc = _n;
        T alpha = _alpha, beta = _betaBlock;
        var kernel = _kernel;
        T* edge = stackalloc T[MR * GemmMicroKernels.MaxNR];
        for (int jr = j0; jr < j1; jr += nr)
        {
            int cols = Math.Min(nr, j1 - jr);
            T* bPanel = _packedB + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int rows = Math.Min(MR, mc - ir);
                T* aPanel = packedA + (long)ir * kc;
                T* cTile = _c + (long)(ic + ir) * _n + _jc + jr;
                if (rows == MR && cols == nr)
                {
                    kernel(kc, aPanel, bPanel, cTile, ldc, alpha, beta);
                    continue;
                }
                // Edge tile: compute the full padded tile into scratch, then merge only the valid part.
                kernel(kc, aPanel, bPanel, edge, nr, T.One, T.Zero);
                for (int r = 0; r < rows; r++)
                {
                    T* crow = cTile + r * ldc;
                    T* erow = edge + r * nr;
                    if (beta == T.Zero)
                        for (int j = 0; j < cols; j++) crow[j] = alpha * erow[j];
                    else
                        for (int j = 0; j < cols; j++) crow[j] = alpha * erow[j] + beta * crow[j];
                }
            }
        }
    }
}
