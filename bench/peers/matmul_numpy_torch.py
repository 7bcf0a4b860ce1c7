#!/usr/bin/env python3
"""Peer timing for GemmBenchmarks: C = A @ B in numpy and PyTorch, float32 and float64, 1 and 2 threads.

Needs Debian's packages (as root):  apt-get install -y python3-numpy python3-torch libopenblas0-pthread
Without libopenblas0-pthread, Debian's numpy links the slow reference BLAS. Run with the system python:
    /usr/bin/python3 bench/peers/matmul_numpy_torch.py
Thread counts are fixed per child process through OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS,
which the BLAS reads only when it is loaded, so each thread count runs in a fresh interpreter (and PyTorch
also gets torch.set_num_threads). Shapes are m,k,n as in GemmBenchmarks. Prints the median and best GFLOP/s
(2*m*n*k per product); the best is the robust figure on a shared, loaded machine.
"""
import os
import subprocess
import sys
import time

SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (256, 784, 256)]
THREADS = [1, 2]


def measure(fn, flops, min_seconds=1.0, min_reps=5):
    for _ in range(2):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return flops / times[len(times) // 2] / 1e9, flops / times[0] / 1e9


def child(threads):
    import numpy as np
    import torch
    torch.set_num_threads(threads)
    rows = []
    for (m, k, n) in SHAPES:
        flops = 2.0 * m * n * k
        for dtype_name, np_dtype, torch_dtype in [("float32", np.float32, torch.float32), ("float64", np.float64, torch.float64)]:
            rng = np.random.default_rng(1)
            a = rng.random((m, k)).astype(np_dtype)
            b = rng.random((k, n)).astype(np_dtype)
            c = np.empty((m, n), dtype=np_dtype)
            np_med, np_best = measure(lambda: np.matmul(a, b, out=c), flops)
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            tc = torch.empty((m, n), dtype=torch_dtype)
            with torch.no_grad():
                t_med, t_best = measure(lambda: torch.matmul(ta, tb, out=tc), flops)
            rows.append((f"{m}x{k}*{k}x{n}", dtype_name, threads, np_med, np_best, t_med, t_best))
    for r in rows:
        print("ROW", *r)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
        return
    import numpy as np
    import torch
    print(f"numpy {np.__version__}, torch {torch.__version__}, load average {os.getloadavg()}")
    print(f"{'shape':<20}{'dtype':<9}{'thr':>4}{'numpy med':>11}{'numpy best':>12}{'torch med':>11}{'torch best':>12}   (GFLOP/s)")
    for threads in THREADS:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, __file__, "--child", str(threads)], env=env, check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            if not line.startswith("ROW "):
                continue
            shape, dtype, thr, *vals = line.split()[1:]
            print(f"{shape:<20}{dtype:<9}{thr:>4}" + "".join(f"{float(v):>11.1f} " for v in vals))
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
