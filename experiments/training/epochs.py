"""The epochs table of the training chapter: `cpu32` trained well past its 20 epochs, validated on the whole test
split (1017 images, uncalibrated) after every epoch, to see where the validation error stops falling.

Usage: OMP_NUM_THREADS=2 nice -n 10 python experiments/training/epochs.py [--epochs 34]
(about 25 minutes on 2 quiet CPU cores; stopped, it continues where it was when run again)
"""
import argparse, time
from dataclasses import replace
import torch
from common import RUNS, quiet_threads, table
from colorizer.runs import PRESETS, train

OUT = RUNS / 'epochs'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=34)
    a = p.parse_args()
    quiet_threads(); t0 = time.perf_counter()
    ck = OUT / 'checkpoint.pt'
    train(replace(PRESETS['cpu32'], epochs=a.epochs, valid_images=0, colorfulness=0), OUT, resume=ck.exists())
    history = torch.load(ck, weights_only=True)['history']
    show = [r for r in history if r['epoch'] in {1, a.epochs} or r['epoch'] % 5 == 0]
    print(table(['epoch'] + [str(r['epoch']) for r in show],
                [['training L1'] + [f"{r['g_l1']:.4f}" for r in show], ['validation L1'] + [f"{r['val_l1']:.4f}" for r in show],
                 ['validation CIEDE2000 (uncalibrated)'] + [f"{r['ciede2000']:.2f}" for r in show]]))
    best = min(history, key=lambda r: r['val_l1'])
    print(f"\nlowest validation L1 {best['val_l1']:.4f} at epoch {best['epoch']} ({time.perf_counter() - t0:.0f} s)")


if __name__ == '__main__':
    main()
