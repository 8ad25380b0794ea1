"""What the training chapter's experiment scripts share: the data, the two measurements (the network on trimmed
CIFAR-10's test split; the full-resolution `colorize` pipeline on scikit-image's five photos, as chapter 07 measures
them), and markdown tables. Run the scripts from the repository root: `python experiments/training/NAME.py`."""
import os, sys
from pathlib import Path
import numpy as np, torch
from skimage import data as skdata
from colorizer.data import cifar_arrays
from colorizer.generator import stretch_colors
from colorizer.metrics import evaluate, gray_colorizer
from colorizer.inference import colorize
from colorizer.evaluation import pil_colorizer

RUNS = Path('runs/experiments')                 # runs/ is git-ignored: weights and checkpoints stay out of the repository
CPU32 = Path('runs/cpu32/generator.safetensors')   # the chapter's tables start from a `cpu32` generator (CIFAR-10, L1 alone)
PHOTOS = {'astronaut': skdata.astronaut, 'chelsea': skdata.chelsea, 'coffee': skdata.coffee, 'rocket': skdata.rocket,
          'motorcycle': lambda: skdata.stereo_motorcycle()[0]}


def quiet_threads():
    "Use the threads $OMP_NUM_THREADS asks for (torch's default is every core: on a shared machine that thrashes)."
    if 'OMP_NUM_THREADS' in os.environ: torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads', file=sys.stderr)


def cpu32_generator(path) -> Path:
    "The `cpu32` weights file `path`, or an error that says how to make it (the shipped file is the photos model, not this one)."
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f'no cpu32 generator at {path}: train one first, `colorizer train --preset cpu32 --out {path.parent}` '
                         '(20 epochs, CIFAR-10, L1 alone; the chapter\'s tables were measured on the 21-epoch one shipped before the '
                         'photos model), or pass --weights FILE')
    return path


def network(G):
    "G as a colorizer of normalized L, its stored colour calibration applied (what `colorize` does)."
    G.eval()
    return lambda l: stretch_colors(G(l), G.ab_center, G.ab_gain, G.ab_gamma)


def on_cifar(G) -> dict:
    "Metrics of the network on the 1017 test images of the trimmed CIFAR-10 (32×32, the Lab L of the originals in)."
    with torch.no_grad(): return evaluate(network(G), cifar_arrays()['x_test'])


def on_photos(G) -> dict:
    "Metrics of `colorize(photo, G)` on scikit-image's five photos at full resolution, each given as its 8-bit gray photo."
    photos = [f() for f in PHOTOS.values()]
    with torch.no_grad(): return evaluate(pil_colorizer(lambda im: colorize(im, G)), photos, l_source='pil')


def table(header, rows) -> str:
    "A markdown table: `header` a list of column names, `rows` lists of cells (strings, or numbers: 4 decimals for AuC, 3 for accuracy, else 2)."
    def fmt(v, col):
        if not isinstance(v, float): return str(v)
        return f'{v:.4f}' if 'AuC' in col else f'{v:.3f}' if 'accuracy' in col else f'{v:.2f}'
    return '\n'.join(['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
                     + ['| ' + ' | '.join(fmt(v, c) for v, c in zip(r, header)) + ' |' for r in rows])
