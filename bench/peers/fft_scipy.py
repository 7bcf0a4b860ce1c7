#!/usr/bin/env python3
"""Peer timing for FftBenchmarks: scipy.fft rfftn + irfftn round trip in float32 with one worker.

Run with the system python (apt python3-scipy):  /usr/bin/python3 bench/peers/fft_scipy.py
Prints, per shape (x first, as Geometrize), the median and minimum wall time of one round trip and the process
CPU time per round trip, in milliseconds (min and CPU time are the robust figures on a shared, loaded machine).
"""
import time

import numpy as np
import scipy
import scipy.fft as sfft

SHAPES = [(256, 256), (512, 512), (96, 96, 96), (128, 128, 128), (181, 217, 181)]


def numpy_round_trip_ms(shape, reps=10):
    """numpy.fft (pocketfft in C, always double precision): minimum of a few round trips, for reference."""
    arr_shape = tuple(reversed(shape))
    x = np.random.default_rng(1).random(arr_shape, dtype=np.float32)
    np.fft.irfftn(np.fft.rfftn(x), s=arr_shape)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        np.fft.irfftn(np.fft.rfftn(x), s=arr_shape)
        best = min(best, time.perf_counter() - t0)
    return 1000 * best


def median_round_trip_ms(shape, min_seconds=1.0, min_reps=20):
    # Geometrize stores x fastest; numpy is C-ordered, so the array shape is reversed and the real axis is last.
    arr_shape = tuple(reversed(shape))
    x = np.random.default_rng(1).random(arr_shape, dtype=np.float32)
    for _ in range(3):  # warm up pocketfft's plan cache
        sfft.irfftn(sfft.rfftn(x, workers=1), s=arr_shape, workers=1)
    times = []
    cpu0 = time.process_time()
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        y = sfft.irfftn(sfft.rfftn(x, workers=1), s=arr_shape, workers=1)
        times.append(time.perf_counter() - t0)
    cpu = 1000 * (time.process_time() - cpu0) / len(times)
    times.sort()
    assert y.dtype == np.float32
    return 1000 * float(np.median(times)), 1000 * times[0], cpu, len(times)


def main():
    print(f"scipy {scipy.__version__}, numpy {np.__version__}, float32, workers=1")
    print(f"{'shape':>14} {'ms/round trip':>14} {'min ms':>9} {'cpu ms/rep':>11} {'reps':>6} {'numpy min ms':>13}")
    for shape in SHAPES:
        ms, best, cpu, reps = median_round_trip_ms(shape)
        npms = numpy_round_trip_ms(shape)
        print(f"{'x'.join(map(str, shape)):>14} {ms:14.3f} {best:9.3f} {cpu:11.3f} {reps:6d} {npms:13.3f}")


if __name__ == "__main__":
    main()
