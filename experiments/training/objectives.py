"""The picture of the training chapter: the same photos under L1 alone, GAN + L1 (the paper's objective) and the
shipped recipe (L1, then the colour calibration).

The three continue one common starting point, a `cpu32` generator (L1 alone; the chapter's picture started from the
21-epoch one that shipped before the photos model), with `cpu32` for a few more epochs (`train(..., init=...)`: G's
weights continue, Adam and a fresh D start anew):
- l1:     λ·L1 alone (D unused), uncalibrated;
- gan:    GAN + λ·L1, the paper's objective (BCE, λ = 100), uncalibrated;
- recipe: the l1 generator, calibrated to 0.7 of the training photos' colorfulness (what `cpu32` does at the end).
Writes runs/experiments/objectives/{l1,gan,recipe}.safetensors (the chapter reads them) and prints their metrics on
trimmed CIFAR-10's test split and on scikit-image's five photos.

Usage: OMP_NUM_THREADS=2 nice -n 10 python experiments/training/objectives.py [--epochs 3] [--weights runs/cpu32/generator.safetensors]
"""
import argparse, copy, json, shutil, time
from dataclasses import replace
from common import CPU32, RUNS, cpu32_generator, on_cifar, on_photos, quiet_threads, table
from colorizer.data import get_loaders
from colorizer.weights_file import generator_info, save_generator
from colorizer.runs import PRESETS, calibrate_colorfulness, train

OUT = RUNS / 'objectives'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=3, help='epochs of each continuation')
    p.add_argument('--weights', default=str(CPU32), help='the cpu32 generator they continue (default: %(default)s)')
    a = p.parse_args()
    start = cpu32_generator(a.weights)
    quiet_threads(); t0 = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    cfg = replace(PRESETS['cpu32'], epochs=a.epochs, colorfulness=0)
    nets = {}
    for name, gan in (('l1', False), ('gan', True)):
        run = OUT / f'{name}_run'; shutil.rmtree(run, ignore_errors=True)
        nets[name] = train(replace(cfg, gan=gan), run, init=start).G
        shutil.copy(run / 'generator.safetensors', OUT / f'{name}.safetensors')
        shutil.rmtree(run)                                   # the checkpoint (0.2 GB) is not needed
    recipe = copy.deepcopy(nets['l1'])
    gain = calibrate_colorfulness(recipe, get_loaders(32, 64, seed=0)[0], 0.7)
    info = {k: v for k, v in generator_info(OUT / 'l1.safetensors').items() if k not in ('format', 'depth', 'ngf')}
    save_generator(recipe, OUT / 'recipe.safetensors', **info, calibrated=json.dumps({'target': 0.7, 'gain': round(gain, 4)}))
    nets['recipe'] = recipe
    names = {'l1': 'L1 alone', 'gan': 'GAN + L1 (paper)', 'recipe': f'L1 + calibration (gain {gain:.2f})'}
    rows = []
    for key, G in nets.items():
        c, ph = on_cifar(G), on_photos(G)
        rows.append([names[key], c['ciede2000'], c['auc'], c['colorfulness_ratio'], ph['ciede2000'], ph['auc'], ph['colorfulness_ratio']])
    print(f'{start} + {a.epochs} epochs of cpu32 with each objective\n')
    print(table(['objective', 'CIFAR CIEDE2000 ↓', 'CIFAR AuC ↑', 'CIFAR colorfulness ratio',
                 'photos CIEDE2000 ↓', 'photos AuC ↑', 'photos colorfulness ratio'], rows))
    print(f'\nwrote {", ".join(str(OUT / f"{k}.safetensors") for k in nets)} ({time.perf_counter() - t0:.0f} s)')


if __name__ == '__main__':
    main()
