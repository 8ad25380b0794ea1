"""The training chapter's picture of the objectives on photos: six validation photos (kodim03, kodim05, kodim14,
kodim23, mcmaster_01, mcmaster_09, chosen by file number before looking at any result), one column per generator,
between the gray input and the truth. Each generator colorizes through `colorize`, at its own render size.

The chapter's picture (images/objectives_photos.jpg) has these columns, and a colour-classification one from a script
removed since (it trained a network with a classification head, which the library does not have; see git history):
  --model "CIFAR-only start=runs/cpu32/generator.safetensors@48"       (colorizer train --preset cpu32 --out runs/cpu32)
  --model "L1 + calibration (shipped)=SHIPPED"
  --model "GAN + L1=runs/photos_gan/generator.safetensors"   (colorizer train --preset photos --gan --data PHOTOS --out runs/photos_gan)

Usage: python experiments/photos/picture.py --out runs/objectives.jpg --model NAME=WEIGHTS[@RENDER_SIZE] [--model ...]
(WEIGHTS: a generator weights file, or SHIPPED for the package's own; RENDER_SIZE: colorize's default when left out)
"""
import argparse, os
from pathlib import Path
import numpy as np, torch
from PIL import Image
from colorizer.data import load_rgb
from colorizer.inference import RENDER_SIZE, colorize, load_model, side_by_side

PHOTOS = ['kodak24/kodim03.png', 'kodak24/kodim05.png', 'kodak24/kodim14.png', 'kodak24/kodim23.png',
          'mcmaster/mcmaster_01.png', 'mcmaster/mcmaster_09.png']


def model_spec(spec: str) -> tuple:
    "'NAME=WEIGHTS[@RENDER_SIZE]' -> (NAME, WEIGHTS or None for SHIPPED, render size)."
    name, sep, rest = spec.partition('=')
    if not sep or not name or not rest: raise argparse.ArgumentTypeError(f'expected NAME=WEIGHTS[@RENDER_SIZE], got {spec!r}')
    weights, _, size = rest.partition('@')
    if size and not size.isdigit(): raise argparse.ArgumentTypeError(f'render size must be a whole number, got {size!r}')
    return name, None if weights == 'SHIPPED' else weights, int(size) if size else RENDER_SIZE


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', required=True, help='the picture to write (JPEG)')
    p.add_argument('--model', type=model_spec, action='append', required=True, help='NAME=WEIGHTS[@RENDER_SIZE], once per column')
    p.add_argument('--val', default=os.environ.get('COLORIZER_VAL_PHOTOS', '../shared/data/photos/val'),
                   help='folder holding kodak24/ and mcmaster/ (default: $COLORIZER_VAL_PHOTOS or %(default)s)')
    a = p.parse_args()
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', 2)))
    models = [(name, load_model(weights), size) for name, weights, size in a.model]
    rows = []
    for f in PHOTOS:
        truth = np.array(load_rgb(Path(a.val) / f))
        gray = Image.fromarray(truth).convert('L')
        rows.append((np.array(gray), *[np.array(colorize(gray, m, render_size=s)) for _, m, s in models], truth))
    picture = side_by_side(rows, titles=('gray input', *[name for name, _, _ in models], 'truth'), height=120)
    picture.save(a.out, quality=80, optimize=True)
    print(f'wrote {a.out}')


if __name__ == '__main__':
    main()
