"""Choose the photos preset's colour calibration on the validation photos.

A finished `colorizer train --preset photos` run is resumed with each target colorfulness ratio (a resume of a finished
run only re-calibrates, on the same training crops the run itself used, and writes the weights), and each result is
measured on Kodak24 and McMaster18 as `colorizer evaluate --images` measures it (full size, 8-bit gray in, `colorize`
with its defaults), and on the trimmed CIFAR-10 test split (the network on the 32×32 L). One JSON line per target.

Usage: python experiments/photos/calibration.py RUN_FOLDER [--targets 0.6 0.7 0.8] [--val ../shared/data/photos/val]
(about 2 minutes per target on 2 cores; the model card's target, 0.85, was chosen among 0, 0.6, 0.7, 0.8, 0.85, 0.9)
"""
import argparse, json, shutil, tempfile, time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import fields, replace
from io import StringIO
from pathlib import Path
import numpy as np, torch
from colorizer.data import cifar_arrays, image_files, load_rgb
from colorizer.metrics import evaluate
from colorizer.inference import colorize, load_model, predict_ab
from colorizer.evaluation import pil_colorizer
from colorizer.runs import TrainConfig, train

KEYS = ('ciede2000', 'auc', 'accuracy', 'colorfulness_ratio', 'l_drift')


def network(model):
    "The network itself on normalized L, with its calibration (as `colorizer evaluate` on CIFAR-10)."
    model.eval()
    def colorizer(l):
        with torch.no_grad(): return predict_ab(model, l.float())
    return colorizer


def measure(model, val: Path, cifar=None) -> dict:
    "The validation metrics of `model`: `colorize` with its defaults on the photos; the network on CIFAR-10's test split."
    out = {}
    for name, sub in (('Kodak24', 'kodak24'), ('McMaster18', 'mcmaster')):
        photos = [np.array(load_rgb(f)) for f in image_files(val / sub)]
        out[name] = {k: round(v, 4) for k, v in evaluate(pil_colorizer(lambda im: colorize(im, model)), photos, l_source='pil').items() if k in KEYS}
    if cifar is not None:
        out['CIFAR test'] = {k: round(v, 4) for k, v in evaluate(network(model), cifar['x_test']).items() if k in KEYS}
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('run', help='the folder of a finished `colorizer train --preset photos` run')
    p.add_argument('--targets', type=float, nargs='+', default=[0.6, 0.7, 0.8])
    p.add_argument('--val', default='../shared/data/photos/val', help='folder holding kodak24/ and mcmaster/')
    p.add_argument('--data', nargs='+', default=['../shared/data/photos/train'], help="the run's training photos")
    p.add_argument('--keep', action='store_true', help='keep each calibrated file as RUN/generator_TARGET.safetensors')
    a = p.parse_args()
    run, val, cifar = Path(a.run), Path(a.val), cifar_arrays(download=False)
    saved = torch.load(run / 'checkpoint.pt', map_location='cpu', weights_only=True)['config']
    cfg = TrainConfig(**{k: v for k, v in saved.items() if k in {f.name for f in fields(TrainConfig)}})
    for t in a.targets:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / 'run'; shutil.copytree(run, folder)
            t0 = time.perf_counter()
            with redirect_stdout(StringIO()), redirect_stderr(StringIO()): train(replace(cfg, colorfulness=t), folder, resume=True, data=a.data)
            model = load_model(folder / 'generator.safetensors')
            if a.keep: shutil.copy(folder / 'generator.safetensors', run / f'generator_{t:g}.safetensors')
            print(json.dumps({'target': t, 'gain': round(model.ab_gain.item(), 4), 'calibrate_s': round(time.perf_counter() - t0, 1),
                              **measure(model, val, cifar)}), flush=True)


if __name__ == '__main__':
    main()
