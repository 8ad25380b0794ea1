"""The textbook pix2pix baseline of chapters 04 and 07: trained, measured, and written to the JSON they read.

The recipe is the paper's as issue 6 measured it "30 minutes on this CPU": the library's U-Net (depth 5, ngf 64) and
PatchGAN, BCE + 100·L1, Adam 2e-4 with β = (0.5, 0.999), batches of 64 trimmed-CIFAR-10 images at 32×32, no colour
calibration: `cpu32` with the GAN term on and the calibration off. The budget is a fixed amount of work, 39 epochs
(79 steps each), what that measurement fitted in 30 minutes on this repository's idle 2-core CPU, so a busy machine
trains the same model, only more slowly. An interrupted run continues from its checkpoint when run again.

Then the trained generator is measured as the chapters measure everything (`colorizer.metrics.evaluate`):
- on the 1017 test images of the trimmed CIFAR-10: the network on the 32×32 Lab L of the originals (the calibrated
  protocol of chapter 04, as `colorizer evaluate` does without --images);
- on the validation photos, Kodak24 and McMaster18, at full size, 8-bit gray in (`l_source='pil'`, as `colorizer
  evaluate --images` does), colorized the textbook way: the whole gray photo squashed to 32×32, the network's ab
  enlarged (bicubic) to the photo's size and joined with the photo's own L; and by what an ImageNet classifier sees
  in those colours (chapter 07's `semantic_agreement` with EfficientNet-Lite1: top-1 match and KL against the truth).

It writes colorizer/weights/textbook.json (package data, so the chapters find it on Colab too): every number, and
how it was made (steps, seconds, machine). A shortened run (--epochs, --images, --limit) writes OUT/textbook.json
instead, never the committed file, unless --json names it.

Usage: python bench/textbook.py [--out runs/textbook] [--data NPZ] [--val DIR] [--json FILE]
       python bench/textbook.py --epochs 1 --images 320 --limit 16 --out /tmp/textbook   # a check of the script: 5 steps
(the full run: about 30 minutes of training on 2 quiet CPU cores, then a few minutes of measuring)
"""
import argparse, datetime, json, os, platform, subprocess, sys
from dataclasses import asdict, replace
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
from PIL import Image
import colorizer
from colorizer.lab import rgb_to_lab, lab_to_rgb, normalize_l, denormalize_ab
from colorizer.data import cifar_arrays, image_files, load_rgb
from colorizer.metrics import evaluate
from colorizer.inference import load_model, predict_ab
from colorizer.evaluation import pil_colorizer, imagenet_classifier, colorizer_agreement
from colorizer.runs import PRESETS, train
from colorizer.weights_file import generator_info

ROOT = Path(__file__).resolve().parent.parent
JSON = Path(colorizer.__file__).parent / 'weights' / 'textbook.json'   # what chapters 04 and 07 read
EPOCHS = 39                        # the work of 30 minutes on the idle 2-core CPU (issue 6's measurement)
RECIPE = replace(PRESETS['cpu32'], gan=True, colorfulness=0.0, epochs=EPOCHS)   # the paper's objective, no calibration
SETS = {'Kodak24': 'kodak24', 'McMaster18': 'mcmaster'}               # validation photo sets: name -> folder in --val
KEYS = ('ciede2000', 'auc', 'accuracy', 'psnr', 'ssim', 'colorfulness', 'colorfulness_ratio', 'l_drift')


def network_colorizer(G):
    "G on normalized L (B, 1, h, w) -> normalized ab (B, 2, h, w), in eval mode, without gradients."
    G.eval()
    def colorizer(l):
        with torch.no_grad(): return predict_ab(G, l.float()).float()
    return colorizer


def squashed_colorizer(G, size=32):
    "The textbook's way with a photo: the gray photo squashed to size×size, its ab enlarged to the photo and joined with its own L."
    def colorize_gray(gray: Image.Image) -> Image.Image:      # 'L' (H, W) -> 'RGB' (H, W)
        as_rgb = lambda im: torch.from_numpy(np.array(im.convert('RGB'))).permute(2, 0, 1).double() / 255   # (3, h, w)
        small = gray.resize((size, size), Image.Resampling.BICUBIC)
        with torch.no_grad(): ab = denormalize_ab(predict_ab(G, normalize_l(rgb_to_lab(as_rgb(small))[:1])[None].float()))
        ab = F.interpolate(ab.double(), size=(gray.height, gray.width), mode='bicubic', align_corners=False)[0]   # (2, H, W)
        rgb = lab_to_rgb(torch.cat([rgb_to_lab(as_rgb(gray))[:1], ab]))                                        # (3, H, W)
        return Image.fromarray((rgb.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy())
    G.eval()
    return pil_colorizer(colorize_gray)


def rounded(metrics: dict) -> dict:
    return {k: round(float(metrics[k]), 4) for k in KEYS if k in metrics}


def git_commit() -> str:
    try: return subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip() or 'unknown'
    except OSError: return 'unknown'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='\n'.join(__doc__.splitlines()[2:]))
    p.add_argument('--out', default='runs/textbook', help='run folder: checkpoint, generator.safetensors (default: %(default)s)')
    p.add_argument('--data', default=os.environ.get('COLORIZER_DATA', '../shared/data/cifar10-trimmed.npz'),
                   help='the trimmed CIFAR-10 .npz (default: $COLORIZER_DATA or %(default)s)')
    p.add_argument('--val', default=os.environ.get('COLORIZER_VAL_PHOTOS', '../shared/data/photos/val'),
                   help='folder holding kodak24/ and mcmaster/ (default: $COLORIZER_VAL_PHOTOS or %(default)s)')
    p.add_argument('--json', default=None, help=f'where to write the results (default: {JSON.relative_to(ROOT)}; OUT/textbook.json for a shortened run)')
    p.add_argument('--epochs', type=int, default=EPOCHS, help='epochs of training (default: %(default)s, the recipe\'s budget)')
    p.add_argument('--images', type=int, default=0, help='train and validate on the first N CIFAR images only (a check of the script)')
    p.add_argument('--limit', type=int, default=0, help='measure on the first N images of each set only (a check of the script)')
    a = p.parse_args()
    if a.epochs < 1 or a.images < 0 or a.limit < 0: p.error('--epochs must be >= 1, --images and --limit >= 0')
    data, val, out = Path(a.data), Path(a.val), Path(a.out)
    if not data.is_file(): p.error(f'no trimmed CIFAR-10 file at {data}: pass --data (or set $COLORIZER_DATA)')
    missing = [sub for sub in SETS.values() if not (val / sub).is_dir()]
    if missing: p.error(f'no {", ".join(missing)} in {val}: pass --val, a folder holding kodak24/ and mcmaster/')
    shortened = a.epochs != EPOCHS or a.images or a.limit
    target = Path(a.json) if a.json else out / 'textbook.json' if shortened else JSON

    cfg = replace(RECIPE, epochs=a.epochs, max_images=a.images)
    resume = (out / 'checkpoint.pt').is_file()
    print(f'training the textbook pix2pix into {out}' + (' (continuing its checkpoint)' if resume else '')
          + f': {cfg.epochs} epochs, torch {torch.__version__}, {torch.get_num_threads()} threads', flush=True)
    train(cfg, out, resume=resume, data=[str(data)])
    weights = out / 'generator.safetensors'
    G, header = load_model(weights), generator_info(weights)

    arrays = cifar_arrays(data)
    cut = lambda xs: xs[:a.limit] if a.limit else xs
    x_test = cut(arrays['x_test'])
    steps_per_epoch = (len(arrays['x_train'][:a.images or None])) // cfg.batch_size
    results, counts = {'cifar_test': rounded(evaluate(network_colorizer(G), x_test))}, {'cifar_test': len(x_test)}
    print(f"CIFAR-10 test ({len(x_test)} images): {results['cifar_test']}", flush=True)
    try: lite1 = imagenet_classifier()                  # chapter 07's judge of what the colours show (the dev extra has it)
    except ImportError as e: lite1 = None; print(f'no ImageNet classifier, so no semantic scores: {e}', flush=True)
    for name, sub in SETS.items():
        photos = [np.array(load_rgb(f)) for f in cut(image_files(val / sub))]
        results[name], counts[name] = rounded(evaluate(squashed_colorizer(G), photos, l_source='pil')), len(photos)
        if lite1 is not None:
            agreement = colorizer_agreement(lite1, squashed_colorizer(G), photos)
            results[name]['semantic'] = {k: round(float(v), 4) for k, v in agreement.items()}
        print(f'{name} ({len(photos)} photos): {results[name]}', flush=True)

    seconds = float(header.get('train_seconds', 'nan'))
    made = {'date': datetime.date.today().isoformat(), 'commit': git_commit(), 'machine': header.get('machine', platform.machine()),
            'threads': torch.get_num_threads(), 'epochs': cfg.epochs, 'steps': cfg.epochs * steps_per_epoch, 'train_seconds': round(seconds)}
    record = {
        'what': 'the textbook pix2pix: the paper\'s recipe (U-Net depth 5, ngf 64, PatchGAN, BCE + 100·L1, Adam 2e-4, '
                'β = (0.5, 0.999), batch 64) on the trimmed CIFAR-10 at 32×32, no colour calibration',
        'source': f"python bench/textbook.py{'' if not shortened else ' (shortened: not the recipe)'}: {cfg.epochs} epochs "
                  f"({made['steps']} steps), {seconds / 60:.0f} min of training on {made['machine']}, {made['date']}",
        'command': ' '.join(['python', 'bench/textbook.py', *sys.argv[1:]]),
        'made': made,
        'config': asdict(cfg),
        'protocol': {'cifar_test': 'the network on the 32×32 Lab L of the originals (colorizer evaluate)',
                     'photos': 'full size, 8-bit gray in (l_source pil); the photo squashed to 32×32, ab enlarged bicubic, the photo\'s own L'},
        'images': counts,
        'results': results,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    print(f'wrote {target}')


if __name__ == '__main__':
    main()
