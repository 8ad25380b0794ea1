"""Speed of `colorizer.lab.rgb_to_lab` against scikit-image, measured in the same run.

Converts 1024 trimmed-CIFAR images (float32) with `rgb_to_lab` in one batch and with
`skimage.color.rgb2lab` one image at a time, then one 2048×1536 photo both ways; prints the
best of several repeats and the speed-up. Usage: python bench/lab.py [--data PATH]
"""
import argparse, os, time
import numpy as np, torch
from skimage import color, data, transform
from colorizer.lab import rgb_to_lab, lab_to_rgb
from _timing import best_of


def cifar_images(path, n=1024):
    if path and os.path.exists(path): return np.load(path)['x_train'][:n]
    print(f'(no CIFAR file at {path!r}: using random images of the same shape)')
    return np.random.default_rng(0).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('COLORIZER_DATA', '../shared/data/cifar10-trimmed.npz'))
    p.add_argument('--repeats', type=int, default=5)
    args = p.parse_args()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')

    imgs = cifar_images(args.data).astype(np.float32) / 255               # (1024, 32, 32, 3)
    batch = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous()        # (1024, 3, 32, 32)
    ours = best_of(lambda: rgb_to_lab(batch), args.repeats)
    ref = best_of(lambda: [color.rgb2lab(im) for im in imgs], args.repeats)
    print(f'1024 CIFAR images, float32: rgb_to_lab {ours * 1e3:.1f} ms, skimage {ref * 1e3:.1f} ms, speed-up {ref / ours:.2f}x')

    back = best_of(lambda: lab_to_rgb(rgb_to_lab(batch)), args.repeats) - ours
    ref_back = best_of(lambda: [color.lab2rgb(color.rgb2lab(im)) for im in imgs], 2) - ref
    print(f'1024 CIFAR images, float32: lab_to_rgb {back * 1e3:.1f} ms, skimage {ref_back * 1e3:.1f} ms, speed-up {ref_back / back:.2f}x')

    photo = transform.resize(data.astronaut(), (1536, 2048), order=1).astype(np.float32)  # 3.1 MP
    tensor = torch.from_numpy(photo).permute(2, 0, 1).contiguous()
    ours = best_of(lambda: rgb_to_lab(tensor), max(2, args.repeats // 2))
    ref = best_of(lambda: color.rgb2lab(photo), max(2, args.repeats // 2))
    print(f'one 2048x1536 photo, float32: rgb_to_lab {ours * 1e3:.1f} ms, skimage {ref * 1e3:.1f} ms, speed-up {ref / ours:.2f}x')


if __name__ == '__main__':
    main()
