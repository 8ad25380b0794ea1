"""Measure generators on the validation photos (full size, 8-bit gray in, the full-resolution pipeline) and CIFAR test.

The protocol is colorizer.metrics' own (`colorizer evaluate`): evaluate(pil_colorizer(colorize...), photos, l_source).
l_source 'pil' = the input is PIL's convert('L') of the photo (the CLI's protocol); 'original' = the gray photo with the
original's Lab L (reproduces the numbers quoted in issue #14 exactly). CIFAR: the network on the 32×32 Lab L (as
`colorizer evaluate` without --images).

Each row: weights × calibration (none = as stored, or a target colourfulness fitted on the TRAINING photos for that
spec) × T (classification only) × spec (render size, or an ensemble like ens32-48-64m). Rows are printed as markdown and
appended as JSON to --jsonl.
"""
import argparse, json, sys, time
from functools import lru_cache
from pathlib import Path
import numpy as np
import torch
sys.path.insert(0, str(Path(__file__).parent))
from colorizer.metrics import evaluate, gray_colorizer, prior_colorizer
from colorizer.evaluation import pil_colorizer, _folder_photos, _network_colorizer
from colorizer.data import cifar_arrays
from models import load_any, SHIPPED
from ensemble import parse_spec, colorize_spec
from calibrate import fit_gain, raw_predictions

VAL = {'kodak24': str(Path(__file__).resolve().parents[3] / 'shared' / 'data') + '/photos/val/kodak24', 'mcmaster': str(Path(__file__).resolve().parents[3] / 'shared' / 'data') + '/photos/val/mcmaster'}
KEYS = ['ciede2000', 'auc', 'accuracy', 'psnr', 'ssim', 'colorfulness_ratio', 'l_drift']


@lru_cache(maxsize=None)
def val_photos(name): return _folder_photos(VAL[name])[0]


@lru_cache(maxsize=1)
def cifar_test(): return cifar_arrays(str(Path(__file__).resolve().parents[3] / 'shared' / 'data') + '/cifar10-trimmed.npz')['x_test']


def fmt(r): return f"{r['ciede2000']:.2f} / {r['auc']:.4f} / {r['accuracy']:.3f} / {r['psnr']:.2f} / {r['colorfulness_ratio']:.2f} / {r['l_drift']:.2f}"


def eval_row(model, spec, sets, modes, cifar):
    from threads import pick_threads
    pick_threads()
    res = {}
    for s in sets:
        for m in modes:
            t = time.perf_counter()
            res[f'{s}/{m}'] = {k: v for k, v in evaluate(pil_colorizer(lambda im: colorize_spec(im, model, spec)), val_photos(s), l_source=m).items() if k in KEYS}
            res[f'{s}/{m}']['seconds'] = round(time.perf_counter() - t, 1)
    if cifar:
        res['cifar'] = {k: v for k, v in evaluate(_network_colorizer(model), cifar_test(), l_source='original').items() if k in KEYS}
    return res


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument('--weights', default=SHIPPED)
    p.add_argument('--tag', default=None)
    p.add_argument('--specs', default='48')
    p.add_argument('--sets', default='kodak24,mcmaster')
    p.add_argument('--modes', default='pil')
    p.add_argument('--cifar', action='store_true')
    p.add_argument('--calib', default='none', help="comma list of target colourfulness ratios fitted on the training photos; 'none' keeps the file's")
    p.add_argument('--T', default='', help='comma list of annealing temperatures (classification models)')
    p.add_argument('--baselines', action='store_true')
    p.add_argument('--save-calibrated', default='', help='with one calib target and one spec: write the calibrated weights here')
    p.add_argument('--jsonl', default='runs/photos_experiments/results.jsonl')
    a = p.parse_args(argv)
    from threads import pick_threads
    pick_threads()
    sets, modes = a.sets.split(','), a.modes.split(',')
    tag = a.tag or Path(a.weights).parent.name
    out = open(a.jsonl, 'a')
    hdr = 'CIEDE2000 / AuC / acc / PSNR / colorfulness ratio / L drift'
    print(f'| row | ' + ' | '.join(f'{s} {m}' for s in sets for m in modes) + (' | CIFAR test' if a.cifar else '') + f' |   ({hdr})')
    if a.baselines:
        for name, c in (('gray', gray_colorizer), ('prior', prior_colorizer())):
            res = {f'{s}/{m}': {k: v for k, v in evaluate(c, val_photos(s), l_source=m).items() if k in KEYS} for s in sets for m in modes}
            if a.cifar: res['cifar'] = {k: v for k, v in evaluate(c, cifar_test(), l_source='original').items() if k in KEYS}
            print(f'| {name} | ' + ' | '.join(fmt(r) for r in res.values()) + ' |', flush=True)
            out.write(json.dumps({'tag': name, 'results': res}) + '\n'); out.flush()
    for T in ([float(t) for t in a.T.split(',')] if a.T else [None]):
        model = load_any(a.weights, T=T)
        stored = (model.ab_gain.item(), (model.ab_center.flatten() * 110).tolist())
        for spec in map(parse_spec, a.specs.split(',')):
            items = None
            for target in a.calib.split(','):
                t0 = time.perf_counter(); info = {}
                if target == 'none':
                    model.ab_gain.fill_(stored[0]); model.ab_center.copy_(torch.tensor(stored[1])[:, None, None] / 110)
                    info = {'gain': stored[0]}
                else:
                    if items is None: items = raw_predictions(model, spec)
                    g, c, r1 = fit_gain(model, float(target), spec, items=items)
                    info = {'gain': round(g, 4), 'center_ab': [round(x, 3) for x in c.tolist()], 'train_ratio_at_gain1': round(r1, 4)}
                tc = time.perf_counter() - t0
                res = eval_row(model, spec, sets, modes, a.cifar)
                row = {'tag': tag, 'weights': a.weights, 'spec': str(spec), 'calib': target, 'T': T, **info,
                       'calib_seconds': round(tc, 1), 'results': res}
                out.write(json.dumps(row) + '\n'); out.flush()
                name = f"{tag} {spec} calib={target}" + (f" T={T}" if T else '') + f" (gain {info['gain']:.3f})"
                print(f'| {name} | ' + ' | '.join(fmt(r) for k, r in res.items()) + ' |', flush=True)
                if a.save_calibrated:
                    from models import save_any
                    save_any(model, a.save_calibrated, calibration=json.dumps({'spec': str(spec), 'target': target, **info}))
                    print(f'wrote {a.save_calibrated}')


if __name__ == '__main__':
    main()
