"""Speed and memory of `colorizer.inference.colorize` on 0.15, 2 and 12 megapixel photos.

For each size it prints the seconds per megapixel of `colorize` (a gray PIL photo in memory -> the colorized
PIL photo; best of a few runs) beside, as the baseline measured in the same run, the Lab round trip of that photo
alone (`rgb_to_lab` then `lab_to_rgb` at full size: what any full-resolution Lab colorizer pays at least). Then,
each in a fresh process, the peak memory that one `colorize` call adds to what the photo and the model already
hold, in MB and in bytes per pixel: constant bytes per pixel means memory grows like the photo's pixels, no faster.
Then the whole command path on one 12 MP JPEG: read, colorize, write the PNG. Last, the peak memory (RSS) of
fresh `colorizer colorize` processes on a 64x48 thumbnail and on photos of extreme aspect (1x100000, 100000x1,
3x20000): the working copy's cap keeps them at the thumbnail's figure, under 1 GB (issue 16). Last, what colour
hints cost: `colorize` with 1, 10 and 50 hints beside the same call without, on the 2 and 12 MP photos.

Without shipped weights and without --weights it uses an untrained generator of the shipped architecture
(`EfficientUNet()`, chapter 03b): the weights' values do not change the speed.
Usage: python bench/colorize.py [--weights FILE] [--render-size N] [--repeats N]
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from PIL import Image
from skimage import data
from colorizer.pretrained import EfficientUNet
from colorizer.weights_file import SHIPPED_WEIGHTS
from colorizer.weights_file import save_generator
from colorizer.inference import colorize, colorize_files, default_render_size, load_model
from colorizer.lab import lab_to_rgb, rgb_to_lab
from _timing import best_of

SIZES = {'0.15 MP': (480, 320), '2 MP': (1732, 1155), '12 MP': (4000, 3000)}   # (width, height)
SHAPES = {'64x48 thumbnail': (48, 64), '1x100000 strip': (1, 100_000), '100000x1 strip': (100_000, 1),
          '3x20000 band': (3, 20_000)}                                          # (height, width)


def photo(size):
    "scikit-image's astronaut as a black-and-white photo of `size` (width, height)."
    return Image.fromarray(data.astronaut()).convert('L').resize(size, Image.Resampling.BICUBIC)


def model_for(weights):
    if weights or SHIPPED_WEIGHTS.is_file(): return load_model(weights), str(weights or SHIPPED_WEIGHTS)
    torch.manual_seed(0)
    return EfficientUNet().eval(), 'untrained EfficientUNet() (no shipped weights)'


def rss_mb(field):
    "VmRSS or VmHWM (the peak) of this process in MB, from /proc."
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith(field + ':'): return int(line.split()[1]) / 1024


def child(name, weights, render_size):
    "In a fresh process: the memory one `colorize` call adds to the photo and the model already in memory."
    model, _ = model_for(weights)
    render_size = render_size or default_render_size(model)
    im = photo(SIZES[name]); colorize(photo((64, 48)), model, render_size)   # warm up the model on a small photo
    before = rss_mb('VmRSS')
    Path('/proc/self/clear_refs').write_text('5')                            # reset the peak (VmHWM) to now
    out = colorize(im, model, render_size)
    added = rss_mb('VmHWM') - before
    print(json.dumps({'added_mb': added, 'bytes_per_pixel': added * 2**20 / (im.width * im.height), 'size': out.size}))


PEAK_AT_EXIT = """import atexit, sys
from pathlib import Path
peak = lambda: next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')).split()[1]
atexit.register(lambda: print('peak_kb', peak(), file=sys.stderr))
from colorizer.cli import main
sys.exit(main())"""   # the console script's entry point, reporting its own peak RSS (a child's ru_maxrss would
                      # include the parent's: the kernel counts the memory the child shared with it before exec)


def command_peak_rss(weights, render_size):
    "Peak RSS of a fresh `colorizer colorize` process (imports, model, photo, result) for each of `SHAPES`."
    print(f'{"photo":<17}{"peak RSS of the command":>25}{"exit":>6}')
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        if not weights and not SHIPPED_WEIGHTS.is_file():
            torch.manual_seed(0); weights = save_generator(EfficientUNet(), d / 'untrained.safetensors')
        for name, (h, w) in SHAPES.items():
            src = d / f'{h}x{w}.png'
            Image.fromarray(np.resize(np.arange(256, dtype=np.uint8), (h, w))).save(src)
            cmd = [sys.executable, '-c', PEAK_AT_EXIT, 'colorize', str(src), '--out', str(d / 'out'),
                   '--render-size', str(render_size)] + (['--weights', str(weights)] if weights else [])
            r = subprocess.run(cmd, capture_output=True, text=True)
            peak_kb = int(r.stderr.split('peak_kb')[-1])
            print(f'{name:<17}{peak_kb / 1024:22.0f} MB{r.returncode:6}')


def hint_cost(model, render_size, repeats):
    "Seconds of `colorize` with 1, 10 and 50 colour hints (random points and colours) beside the same call without."
    print(f'{"photo":<9}{"hints":>6}{"colorize s":>12}{"without hints s":>17}{"ratio":>7}')
    rng = np.random.default_rng(0)
    for name in ('2 MP', '12 MP'):
        im = photo(SIZES[name]); (w, h), reps = im.size, repeats if name == '2 MP' else 1
        plain = best_of(lambda: colorize(im, model, render_size), reps)
        for n in (1, 10, 50):
            hints = [(int(x), int(y), '#%02x%02x%02x' % tuple(rng.integers(0, 256, 3)))
                     for x, y in zip(rng.integers(0, w, n), rng.integers(0, h, n))]
            t = best_of(lambda: colorize(im, model, render_size, hints=hints), reps)
            print(f'{name:<9}{n:>6}{t:12.3f}{plain:17.3f}{t / plain:7.2f}')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--weights', default=None); p.add_argument('--render-size', type=int, default=None, help="default: the model's own (colorize's default)")
    p.add_argument('--repeats', type=int, default=3); p.add_argument('--child', default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: return child(a.child, a.weights, a.render_size)
    model, described = model_for(a.weights)
    a.render_size = a.render_size or default_render_size(model)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, '
          f'load average {os.getloadavg()[0]:.1f}; render size {a.render_size}; weights: {described}')
    print(f'{"photo":<9}{"pixels":>10}{"colorize s/MP":>15}{"Lab round trip s/MP":>21}{"ratio":>7}'
          f'{"peak added MB":>15}{"bytes/pixel":>13}')
    for name, size in SIZES.items():
        im = photo(size); mp = im.width * im.height / 1e6
        t = best_of(lambda: colorize(im, model, a.render_size), a.repeats if mp < 5 else 1)
        x = torch.from_numpy(np.asarray(im.convert('RGB')).copy()).permute(2, 0, 1).float() / 255
        floor = best_of(lambda: lab_to_rgb(rgb_to_lab(x)), a.repeats if mp < 5 else 1); del x
        cmd = [sys.executable, __file__, '--child', name, '--render-size', str(a.render_size)]
        if a.weights: cmd += ['--weights', a.weights]
        mem = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        print(f'{name:<9}{f"{size[0]}x{size[1]}":>10}{t / mp:15.3f}{floor / mp:21.3f}{t / floor:7.2f}'
              f'{mem["added_mb"]:15.0f}{mem["bytes_per_pixel"]:13.1f}')
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / 'photo.jpg'; photo(SIZES['12 MP']).save(src, quality=90)
        start = time.perf_counter()
        written, failed = colorize_files([src], Path(d) / 'out', model, a.render_size, progress=False)
        t = time.perf_counter() - start
        assert written and not failed, failed
        print(f'the command path on one 12 MP JPEG (read, colorize, write PNG): {t:.2f} s, {t / 12:.3f} s/MP')
    command_peak_rss(a.weights, a.render_size)
    hint_cost(model, a.render_size, a.repeats)


if __name__ == '__main__':
    main()
