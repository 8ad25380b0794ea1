"""Speed of `colorizer.lab`'s conversions: the plain version, each speed-up alone, both (the library's), and scikit-image.

The plain version is the chapter's first one (`torch.pow`, the whole tensor at once); the speed-ups are the powers as
`exp(p log x)` (`_pow`) and the conversion in cache-sized pieces (`_by_pieces`), see "Making it fast" in
nbs/00_lab.ipynb. Each is timed, in the same run, on 1024 trimmed-CIFAR images (float32) in one batch and on one
2048×1536 photo, both ways (sRGB -> Lab, Lab -> sRGB); scikit-image converts one image at a time. The variants run in
alternating rounds and each keeps its fastest time (a busy machine only adds time); prints those and each
variant's speed-up over the plain version.
Usage: python bench/lab.py [--data PATH] [--rounds N] [--threads N]
"""
import argparse, os, time
from functools import partial
import numpy as np, torch
from skimage import color, data, transform
from colorizer.lab import rgb_to_lab, lab_to_rgb, _rgb_to_lab, _lab_to_rgb, _pow, _by_pieces


def cifar_images(path, n=1024):
    if path and os.path.exists(path): return np.load(path)['x_train'][:n]
    print(f'(no CIFAR file at {path!r}: using random images of the same shape)')
    return np.random.default_rng(0).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def variants(plain, library):
    "The conversion `plain(x, pow=...)` four ways: plain, each speed-up alone, and the library's function (both)."
    return {'plain (torch.pow, whole tensor)': plain,
            'exp/log powers': partial(plain, pow=_pow),
            'cache-sized pieces': lambda x: _by_pieces(plain, x),
            'both (the library)': library}


def report(title, x, plain, library, sk, rounds):
    "Time every variant on `x` (N, 3, H, W), and scikit-image's `sk` on the same images, in alternating rounds; print a table."
    ref = plain(x)
    imgs = x.permute(0, 2, 3, 1).numpy()
    fns = variants(plain, library)
    for fn in fns.values(): torch.testing.assert_close(fn(x), ref, atol=1e-3, rtol=1e-4)   # the same numbers, and warm
    fns['scikit-image, one image at a time'] = lambda x: [sk(im) for im in imgs]
    times = {name: float('inf') for name in fns}
    for _ in range(rounds):                    # alternate, keep each one's fastest: a busy machine only adds time
        for name, fn in fns.items():
            start = time.perf_counter(); fn(x); times[name] = min(times[name], time.perf_counter() - start)
    print(f'\n{title}')
    for name, t in times.items():
        print(f'  {name:<36} {t * 1e3:8.1f} ms   {times["plain (torch.pow, whole tensor)"] / t:5.2f}x the plain version')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('COLORIZER_DATA', '../shared/data/cifar10-trimmed.npz'))
    p.add_argument('--rounds', type=int, default=9)
    p.add_argument('--threads', type=int, default=None, help="torch's intra-op threads (default: torch's own choice)")
    args = p.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads; fastest of {args.rounds} alternating rounds '
          f'({max(1, args.rounds // 3)} for the photo)')

    imgs = cifar_images(args.data).astype(np.float32) / 255                # (1024, 32, 32, 3)
    batch = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous()        # (1024, 3, 32, 32)
    photo = transform.resize(data.astronaut(), (1536, 2048), order=1).astype(np.float32)  # 3.1 MP
    big = torch.from_numpy(photo).permute(2, 0, 1)[None].contiguous()     # (1, 3, 1536, 2048)
    for what, x, rounds in (('1024 CIFAR images (32x32), float32', batch, args.rounds),
                            ('one 2048x1536 photo, float32', big, max(1, args.rounds // 3))):   # the photo: 3x fewer rounds
        report(f'{what}: sRGB -> Lab', x, _rgb_to_lab, rgb_to_lab, color.rgb2lab, rounds)
        report(f'{what}: Lab -> sRGB', _rgb_to_lab(x), _lab_to_rgb, lab_to_rgb, color.lab2rgb, rounds)


if __name__ == '__main__':
    main()
