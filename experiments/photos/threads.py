"""On this shared 2-core machine, 2 intra-op threads are 3-20x SLOWER than 1 when another job holds a core (each op's
thread barrier waits for a time slice); alone, 2 threads are ~1.7x faster. `pick_threads` times both and keeps the faster."""
import time
import torch


def pick_threads(fn=None, reps=2):
    "Time `fn()` (default: a small conv net step) with 1 and 2 threads; set and return the faster count."
    if fn is None:
        net = torch.nn.Sequential(torch.nn.Conv2d(16, 64, 4, 2, 1), torch.nn.ReLU(), torch.nn.Conv2d(64, 128, 4, 2, 1))
        x = torch.randn(8, 16, 64, 64)
        def fn():
            with torch.no_grad(): net(x)
    best = None
    for n in (1, 2):
        torch.set_num_threads(n); fn()
        t = time.perf_counter()
        for _ in range(reps): fn()
        dt = (time.perf_counter() - t) / reps
        if best is None or dt < best[1]: best = (n, dt)
    torch.set_num_threads(best[0])
    return best[0]
