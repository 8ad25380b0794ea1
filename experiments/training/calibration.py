"""The calibration tables of the training chapter: a `cpu32` generator (L1 only), calibrated.

It is calibrated on the training split at several colorfulness targets (and, second table, with chroma-dependent
stretching, gamma > 0), and measured on trimmed CIFAR-10's test split (the network on the 32×32 L) and on
scikit-image's five photos (the full-resolution `colorize` pipeline, as the evaluation chapter measures it).

The chapter's tables were measured on the 21-epoch `cpu32` generator that shipped before the photos model; a fresh
`colorizer train --preset cpu32 --out runs/cpu32` (20 epochs) is another generator, so its numbers are its own.

Usage: python experiments/training/calibration.py [--weights runs/cpu32/generator.safetensors]   (a few minutes on 2 CPU cores)
"""
import argparse, copy, time
from common import CPU32, cpu32_generator, on_cifar, on_photos, quiet_threads, table
from colorizer.data import get_loaders
from colorizer.inference import load_model
from colorizer.runs import calibrate_colorfulness

TARGETS = [0.6, 0.7, 0.8, 0.9, 1.05]                         # gamma = 0: one gain for every colour
GAMMAS = [(0.7, 0.0), (0.8, 0.5), (0.8, 1.0), (0.9, 1.0)]    # (target, gamma)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--weights', default=str(CPU32), help='the cpu32 generator (default: %(default)s)')
    a = p.parse_args()
    quiet_threads(); t0 = time.perf_counter()
    start = load_model(cpu32_generator(a.weights))
    train_dl, _ = get_loaders(32, 64, seed=0)                # the training split, as `train` calibrates on it
    results = {'as is': (start.ab_gain.item(), on_cifar(start), on_photos(start))}   # as the file is: calibrated when it was trained
    for target, gamma in [(t, 0.0) for t in TARGETS] + GAMMAS[1:]:
        G = copy.deepcopy(start)
        gain = calibrate_colorfulness(G, train_dl, target, gamma)
        results[target, gamma] = gain, on_cifar(G), on_photos(G)
    measured = {k: v for k, v in results.items() if k != 'as is'}
    print('## colorfulness target (gamma = 0)\n')
    print(table(['target share', 'gain', 'CIFAR CIEDE2000 ↓', 'CIFAR AuC ↑', 'CIFAR colorfulness ratio',
                 'photos CIEDE2000 ↓', 'photos AuC ↑', 'photos colorfulness ratio'],
                [[f'{t:g}', g, c['ciede2000'], c['auc'], c['colorfulness_ratio'], p['ciede2000'], p['auc'], p['colorfulness_ratio']]
                 for (t, gm), (g, c, p) in measured.items() if gm == 0]))
    g, c, p = results['as is']
    print(f"\nthe cpu32 file as it is (gain {g:.2f}, fitted on the training split at the end of its run): CIFAR CIEDE2000 "
          f"{c['ciede2000']:.2f}, AuC {c['auc']:.4f}, colorfulness ratio {c['colorfulness_ratio']:.2f}; photos "
          f"{p['ciede2000']:.2f}, {p['auc']:.4f}, {p['colorfulness_ratio']:.2f}")
    print('\n## chroma-dependent stretching\n')
    print(table(['calibration', 'gain', 'CIFAR CIEDE2000 ↓', 'AuC ↑', 'accuracy ↑', 'colorfulness ratio',
                 'photos CIEDE2000 ↓', 'AuC ↑', 'colorfulness ratio'],
                [[f'target {t}, γ = {gm:g}', g, c['ciede2000'], c['auc'], c['accuracy'], c['colorfulness_ratio'],
                  p['ciede2000'], p['auc'], p['colorfulness_ratio']] for (t, gm), (g, c, p) in measured.items() if (t, gm) in GAMMAS]))
    print(f'\n({time.perf_counter() - t0:.0f} s)')


if __name__ == '__main__':
    main()
