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

With --onnx it compares instead the torch path with the torch-free one (`colorizer.deploy.colorize_onnx` on the
shipped ONNX model, chapter 06c), each as the baseline of the other in the same run: seconds per megapixel at 0.15, 2
and 12 MP; the time a fresh process takes to import each path; the disk each path's installed distributions take in
this environment; and int8 dynamic quantization (onnxruntime's `quantize_dynamic`): its size, speed and the change
in mean CIEDE2000 against the original colours on Kodak24 ($COLORIZER_VAL_PHOTOS/kodak24, else scikit-image's photos).

Without shipped weights and without --weights it uses an untrained generator of the shipped architecture
(`EfficientUNet()`, chapter 03b): the weights' values do not change the speed.
Usage: python bench/colorize.py [--weights FILE] [--render-size N] [--repeats N] [--onnx]
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


def _distributions_mb(roots):
    "Disk taken by the installed distributions `roots` and everything they require (no extras), in MB."
    from importlib.metadata import distribution, PackageNotFoundError
    import re
    todo, seen, total = list(roots), set(), 0
    while todo:
        name = re.split(r'[<>=!~;\[ ]', todo.pop())[0].lower().replace('_', '-')
        if not name or name in seen: continue
        seen.add(name)
        try: d = distribution(name)
        except PackageNotFoundError: continue
        total += sum((Path(d.locate_file(f)).stat().st_size for f in d.files or [] if Path(d.locate_file(f)).is_file()))
        todo += [r for r in (d.requires or []) if 'extra ==' not in r]
    return total / 1e6


def _import_s(module, repeats=3):
    "Wall seconds of a fresh `python -c 'import module'`, less those of `python -c pass`, best of `repeats`."
    run = lambda code: best_of(lambda: subprocess.run([sys.executable, '-c', code], check=True), repeats)
    return run(f'import {module}') - run('pass')


def _float32_weights(src, dest):
    "The ONNX file `src` with its float16-stored weights (each cast to float32 by a node) stored as float32: what the quantizer reads."
    import onnx
    from onnx import numpy_helper
    m = onnx.load(str(src)); inits = {i.name: i for i in m.graph.initializer}
    for n in [n for n in m.graph.node if n.op_type == 'Cast' and n.input[0] in inits]:
        w = inits.pop(n.input[0]); m.graph.initializer.remove(w)
        m.graph.initializer.append(numpy_helper.from_array(numpy_helper.to_array(w).astype(np.float32), n.output[0]))
        m.graph.node.remove(n)
    onnx.save(m, str(dest)); return dest


def onnx_comparison(model, render_size, repeats):
    "The torch path beside the onnxruntime path: speed, import time, installed size, and int8 quantization."
    from colorizer.deploy import OnnxColorizer, SHIPPED_ONNX, colorize_onnx
    from colorizer.metrics import ciede2000
    session = OnnxColorizer()
    print(f'{"photo":<9}{"pixels":>10}{"torch s/MP":>12}{"onnxruntime s/MP":>18}{"torch / onnx":>14}')
    for name, size in SIZES.items():
        im = photo(size); mp = im.width * im.height / 1e6; reps = repeats if mp < 5 else 1
        t = best_of(lambda: colorize(im, model, render_size), reps)
        o = best_of(lambda: colorize_onnx(im, session, render_size), reps)
        print(f'{name:<9}{f"{size[0]}x{size[1]}":>10}{t / mp:12.3f}{o / mp:18.3f}{t / o:14.2f}')
    ti, to = _import_s('colorizer.inference'), _import_s('colorizer.deploy')
    print(f'import in a fresh process: colorizer.inference {ti:.2f} s, colorizer.deploy {to:.2f} s ({ti / to:.1f}x)')
    torch_mb = _distributions_mb(['pix2pix-colorizer'])
    onnx_mb = _distributions_mb(['numpy', 'pillow', 'onnxruntime']) + SHIPPED_ONNX.stat().st_size / 1e6
    print(f'installed here: the torch path (pix2pix-colorizer and its requirements) {torch_mb:,.0f} MB; '
          f'the onnx path (numpy, pillow, onnxruntime and their requirements, the ONNX model) {onnx_mb:,.0f} MB')
    from onnxruntime.quantization import QuantType, quantize_dynamic
    val = Path(os.environ.get('COLORIZER_VAL_PHOTOS', Path(__file__).resolve().parents[2] / 'shared/data/photos/val')) / 'kodak24'
    photos = ([np.array(Image.open(f).convert('RGB')) for f in sorted(val.glob('*.png'))] if val.is_dir() else
              [getattr(data, n)() for n in ('astronaut', 'chelsea', 'coffee', 'rocket')])
    as_lab = lambda a: rgb_to_lab(torch.from_numpy(np.array(a)).permute(2, 0, 1).float() / 255)
    def mean_ciede(s):
        return np.mean([ciede2000(as_lab(colorize_onnx(np.array(Image.fromarray(p).convert('L')), s)), as_lab(p)).mean().item() for p in photos])
    with tempfile.TemporaryDirectory() as d:
        q = Path(d) / 'int8.onnx'
        import logging; logging.getLogger().setLevel(logging.ERROR)      # the quantizer's notes on tensors it leaves as they are
        quantize_dynamic(str(_float32_weights(SHIPPED_ONNX, Path(d) / 'f32.onnx')), str(q), weight_type=QuantType.QInt8)
        int8 = OnnxColorizer(q)
        base, quant = mean_ciede(session), mean_ciede(int8)
        im = photo(SIZES['2 MP'])
        t32, t8 = (best_of(lambda: colorize_onnx(im, s), repeats) for s in (session, int8))
        print(f'int8 dynamic quantization: {q.stat().st_size / 1e6:.1f} MB (float16-stored: {SHIPPED_ONNX.stat().st_size / 1e6:.1f} MB); '
              f'mean CIEDE2000 on {"Kodak24" if val.is_dir() else "scikit-image photos"} ({len(photos)} photos) '
              f'{quant:.3f} vs {base:.3f} (change {quant - base:+.3f}; kept only if under 0.1); 2 MP: {t8 / 2:.3f} vs {t32 / 2:.3f} s/MP')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--weights', default=None); p.add_argument('--render-size', type=int, default=None, help="default: the model's own (colorize's default)")
    p.add_argument('--repeats', type=int, default=3); p.add_argument('--child', default=None, help=argparse.SUPPRESS)
    p.add_argument('--onnx', action='store_true', help='compare the torch path with the onnxruntime path (chapter 06c) instead')
    a = p.parse_args()
    if a.child: return child(a.child, a.weights, a.render_size)
    model, described = model_for(a.weights)
    a.render_size = a.render_size or default_render_size(model)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, '
          f'load average {os.getloadavg()[0]:.1f}; render size {a.render_size}; weights: {described}')
    if a.onnx: return onnx_comparison(model, a.render_size, a.repeats)
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
