"""Measure state dicts of experiments/pretrained/train.py on the validation photos, as `colorizer evaluate --images` does.

For each colour gain (the calibration: the network's ab scaled about the centre colour, as `stretch_colors` does),
each render size and each set of view fractions, the 42 validation photos (Kodak24, McMaster18) go through
`colorize` at full size from their 8-bit gray, and are scored by chapter 04's metrics and by chapter 07's
ImageNet-classifier agreement (EfficientNet-Lite1: top-1 match and KL against the true colours). One JSON line per
setting and photo set. This is how the runs chapter's objective table and the inference chapter's render size were
chosen (issue 21):

    python experiments/pretrained/evaluate.py runs/pre/a_l1/model.safetensors --gains 0.8,1,1.2
    python experiments/pretrained/evaluate.py runs/pre/b_classes/model.safetensors --head classes --gains 0.8,1
    python experiments/pretrained/evaluate.py runs/pre/d_whole/model.safetensors --renders 128,176,224,288 --no-semantic
"""
import argparse, json, os, time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    ap.add_argument('weights', help="a state dict (train.py's OUT/model.safetensors) or a Colorizer weights file")
    ap.add_argument('--head', choices=('ab', 'classes'), default='ab')
    ap.add_argument('--gains', default='1', help='colour gains about the centre colour, comma-separated')
    ap.add_argument('--center', default='0,0', help='the centre colour a,b in Lab units (a calibrated file: its own)')
    ap.add_argument('--renders', default='224', help='render sizes, comma-separated')
    ap.add_argument('--views', default='1', help="the ensemble's view fractions of the render size, comma-separated")
    ap.add_argument('--val', default='../shared/data/photos/val', help='folder with kodak24/ and mcmaster/')
    ap.add_argument('--no-semantic', action='store_true', help='skip the ImageNet-classifier agreement')
    a = ap.parse_args()

    import numpy as np, torch
    from safetensors import safe_open
    from safetensors.torch import load_file
    from colorizer import inference
    from colorizer.data import image_files, load_rgb
    from colorizer.evaluation import pil_colorizer, imagenet_classifier, colorizer_agreement
    from colorizer.inference import colorize
    from colorizer.metrics import evaluate
    from colorizer.pretrained import EfficientUNet
    from colorizer.weights_file import load_generator
    if 'OMP_NUM_THREADS' in os.environ: torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))

    with safe_open(a.weights, 'pt') as f: is_file = (f.metadata() or {}).get('format') is not None
    if is_file: G = load_generator(a.weights)
    else: G = EfficientUNet(a.head); G.load_state_dict(load_file(a.weights), strict=False); G.eval()
    center = G.ab_center.clone() if is_file else torch.tensor([float(v) for v in a.center.split(',')]).view(2, 1, 1) / 110
    views = tuple(float(v) for v in a.views.split(','))
    inference._WORKING[type(G).__name__] = (224, views)          # the views to try (the render size is passed below)
    lite1 = None if a.no_semantic else imagenet_classifier()
    sets = {name: [np.array(load_rgb(f)) for f in image_files(Path(a.val) / sub)] for name, sub in (('Kodak24', 'kodak24'), ('McMaster18', 'mcmaster'))}
    for render in (int(r) for r in a.renders.split(',')):
        for gain in (float(g) for g in a.gains.split(',')):
            G.ab_gain.fill_(gain); G.ab_center.copy_(center); G.ab_gamma.zero_()
            ours = pil_colorizer(lambda im: colorize(im, G, render_size=render))
            for name, photos in sets.items():
                t0 = time.time()
                r = {k: round(v, 4) for k, v in evaluate(ours, photos, l_source='pil').items()}
                if lite1 is not None:
                    r.update({k: round(v, 4) for k, v in colorizer_agreement(lite1, ours, photos).items()})
                print(json.dumps({'weights': a.weights, 'set': name, 'render': render, 'views': views, 'gain': gain, **r,
                                  'seconds': round(time.time() - t0)}), flush=True)


if __name__ == '__main__': main()
