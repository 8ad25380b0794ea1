"""The calibration tables of the training chapter: the shipped `cpu32` generator (21 epochs, L1 only), calibrated on
the training split at several colorfulness targets (and, second table, with chroma-dependent stretching, gamma > 0),
measured on trimmed CIFAR-10's test split (the network on the 32×32 L) and on scikit-image's five photos (the
full-resolution `colorize` pipeline, as the evaluation chapter measures it).

Usage: python experiments/training/calibration.py      (a few minutes on 2 CPU cores)
"""
import copy, time
from common import on_cifar, on_photos, quiet_threads, table
from colorizer.data import get_loaders
from colorizer.weights_file import SHIPPED_WEIGHTS, load_generator
from colorizer.runs import calibrate_colorfulness

TARGETS = [0.6, 0.7, 0.8, 0.9, 1.05]                         # gamma = 0: one gain for every colour
GAMMAS = [(0.7, 0.0), (0.8, 0.5), (0.8, 1.0), (0.9, 1.0)]    # (target, gamma)


def main():
    quiet_threads(); t0 = time.perf_counter()
    shipped = load_generator(SHIPPED_WEIGHTS)
    train_dl, _ = get_loaders(32, 64, seed=0)                # the training split, as `train` calibrates on it
    results = {'as shipped': (shipped.ab_gain.item(), on_cifar(shipped), on_photos(shipped))}   # calibrated when it was trained
    for target, gamma in [(t, 0.0) for t in TARGETS] + GAMMAS[1:]:
        G = copy.deepcopy(shipped)
        gain = calibrate_colorfulness(G, train_dl, target, gamma)
        results[target, gamma] = gain, on_cifar(G), on_photos(G)
    measured = {k: v for k, v in results.items() if k != 'as shipped'}
    print('## colorfulness target (gamma = 0)\n')
    print(table(['target share', 'gain', 'CIFAR CIEDE2000 ↓', 'CIFAR AuC ↑', 'CIFAR colorfulness ratio',
                 'photos CIEDE2000 ↓', 'photos AuC ↑', 'photos colorfulness ratio'],
                [[f'{t:g}', g, c['ciede2000'], c['auc'], c['colorfulness_ratio'], p['ciede2000'], p['auc'], p['colorfulness_ratio']]
                 for (t, gm), (g, c, p) in measured.items() if gm == 0]))
    g, c, p = results['as shipped']
    print(f"\nthe shipped file as it is (gain {g:.2f}, fitted on the training split at the end of its run): CIFAR CIEDE2000 "
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
