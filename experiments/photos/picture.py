"""The picture: 6 validation photos (fixed choice: kodim03, kodim05, kodim14, kodim23, mcmaster_01, mcmaster_09 — chosen
by file number before looking at results), columns gray | shipped (render 48) | each given model | truth.
Usage: picture.py --out runs/x.png --model NAME=WEIGHTS@SPEC [--model ...]
"""
import argparse, sys
from pathlib import Path
import numpy as np
import torch
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent))
from colorizer.data import load_rgb
from colorizer.inference import side_by_side
from models import load_any, SHIPPED
from ensemble import parse_spec, colorize_spec

PHOTOS = ['kodak24/kodim03.png', 'kodak24/kodim05.png', 'kodak24/kodim14.png', 'kodak24/kodim23.png',
          'mcmaster/mcmaster_01.png', 'mcmaster/mcmaster_09.png']

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True); p.add_argument('--model', action='append', default=[])
    a = p.parse_args()
    torch.set_num_threads(2)
    models = [('CIFAR-only start (48)', load_any(SHIPPED), 48)]
    for m in a.model:
        name, rest = m.split('=', 1); w, spec = rest.rsplit('@', 1)
        models.append((name, load_any(w), parse_spec(spec)))
    rows = []
    for f in PHOTOS:
        truth = np.array(load_rgb(Path(str(Path(__file__).resolve().parents[3] / 'shared' / 'data') + '/photos/val') / f))
        gray = Image.fromarray(truth).convert('L')
        rows.append((np.array(gray), *[np.array(colorize_spec(gray, m, s)) for _, m, s in models], truth))
    side_by_side(rows, titles=('gray input', *[n for n, _, _ in models], 'truth'), height=120).save(a.out, quality=80, optimize=True); print(f'wrote {a.out}')
