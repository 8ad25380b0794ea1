"""Timing helper shared by the benchmark scripts (run them as `python bench/NAME.py`)."""
import time


def best_of(fn, repeats):
    "Fastest wall time of `repeats` calls of `fn` (after one warm-up call)."
    fn(); times = []
    for _ in range(repeats):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return min(times)
