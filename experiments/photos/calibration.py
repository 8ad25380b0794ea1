"""Choose the photos preset's colour calibration on the validation photos.

A finished `colorizer train --preset photos` run is resumed with each target colorfulness ratio (a resume of a finished
run only re-calibrates, on the same training crops the run itself used, and writes the weights), and each result is
measured on Kodak24 and McMaster18 as `colorizer evaluate --images` measures it (full size, 8-bit gray in, `colorize`
with its defaults), and on the trimmed CIFAR-10 test split (the network on the 32×32 L).

Usage: python experiments/photos/calibration.py RUN_FOLDER [--targets 0.6 0.7 0.8] [--val ../shared/data/photos/val]
(about 2 minutes per target on 2 cores)
"""
import argparse, json, shutil, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
from colorizer.training import TrainConfig
from colorizer.runs import train, _read_checkpoint
from colorizer.inference import load_model
from colorizer.data import cifar_arrays
from colorizer.metrics import evaluate, gray_colorizer, prior_colorizer
from colorizer.evaluation import _folder_photos, _pipeline_colorizer, _network_colorizer
from IPython.utils.capture import capture_output

KEYS = ('ciede2000', 'auc', 'accuracy', 'colorfulness_ratio', 'l_drift')


def measure(model, val: Path, cifar=None) -> dict:
    "The validation metrics of `model` (None: the gray and prior baselines too)."
    out = {}
    for name, sub in (('Kodak24', 'kodak24'), ('McMaster18', 'mcmaster')):
        photos, _ = _folder_photos(val / sub)
        out[name] = {k: round(v, 4) for k, v in evaluate(_pipeline_colorizer(model), photos, l_source='pil').items() if k in KEYS}
    if cifar is not None:
        out['CIFAR test'] = {k: round(v, 4) for k, v in evaluate(_network_colorizer(model), cifar['x_test']).items() if k in KEYS}
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument('run'); p.add_argument('--targets', type=float, nargs='+', default=[0.6, 0.7, 0.8])
    p.add_argument('--val', default='../shared/data/photos/val'); p.add_argument('--keep', action='store_true'); p.add_argument('--data', nargs='+', default=['../shared/data/photos/train'])
    a = p.parse_args()
    run, val, cifar = Path(a.run), Path(a.val), cifar_arrays(download=False)
    saved = _read_checkpoint(run / 'checkpoint.pt')['config']
    cfg = TrainConfig(**{k: v for k, v in saved.items() if k in TrainConfig.__dataclass_fields__})
    for t in a.targets:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / 'run'; shutil.copytree(run, folder)
            t0 = time.perf_counter()
            with capture_output(): train(replace(cfg, colorfulness=t), folder, resume=True, data=a.data)
            model = load_model(folder / 'generator.safetensors')
            if a.keep: shutil.copy(folder / 'generator.safetensors', run / f'generator_{t:g}.safetensors')
            print(json.dumps({'target': t, 'gain': round(model.ab_gain.item(), 4), 'calibrate_s': round(time.perf_counter() - t0, 1),
                              **measure(model, val, cifar)}), flush=True)


if __name__ == '__main__':
    main()
