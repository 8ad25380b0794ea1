"""Training speed: our loop (every feature on) against a textbook pix2pix step, in the same run.

Prints, for the 32×32 (batch 64) and optionally 256×256 (batch 4) settings:
- training images per second of a textbook step (same networks and weights, fp32, NCHW, no tricks: PyTorch's plain
  convolutions everywhere, PyTorch's default Adam, and the discriminator's gradients computed in the generator step
  too, as in tutorials that never freeze it);
- images per second of our `train_step`, and of our whole `train()` loop with every feature on: data loading, Lab
  conversion, progress bars, the NaN check after every update, per-epoch validation metrics (on the preset's fixed
  subset of the validation split), sample pictures, checksummed checkpoints and the colour calibration;
- the ratio ours / textbook (for the whole loop: against the textbook step timed just before and just after it, as a
  busy machine's speed drifts over minutes), and the share of the machine's fp32 matmul peak (measured here) each step
  reaches, counting the textbook step's FLOPs as the work of one image for both (ours skips some of them:
  multiplications by the padding zeros at the U-Net's innermost level, and D's unused weight gradients; its own count
  is printed too);
- the share of our loop's time spent outside the networks.
With --validation it also times one validation pass (predictions and chapter 04's metrics) on the whole validation
split and on fixed subsets of it, against the time of one `cpu32` epoch's steps (79 steps of 64 images).
With --pretrained it times, instead, the steps of the shipped model's presets (the U-Net on EfficientNet-Lite0 on
128-px crops: encoder frozen, whole network, GAN term) against the textbook step at 32x32, per crop and per pixel.
Usage: python bench/train.py [--data NPZ] [--images 4096] [--size256] [--validation] [--pretrained]
"""
import argparse, copy, os, tempfile, time
from dataclasses import replace
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode
import colorizer.training as T
from colorizer.training import Pix2Pix, train_step
from colorizer.runs import PRESETS, train
from colorizer.data import cifar_arrays, get_loaders
from colorizer.metrics import colorization_metrics


def matmul_peak(n=2048, repeats=5):
    "fp32 GFLOP/s of a square matmul on this machine (best of `repeats`)."
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b; best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def textbook_step(m, L, ab):
    "The step as most tutorials write it: D on real and fake, then G on GAN + λ·L1 with D's grads computed anyway."
    fake = m.G(L)
    real_logits, fake_logits = m.D(L, ab), m.D(L, fake.detach())
    d_loss = 0.5 * (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                    + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
    m.opt_D.zero_grad(); d_loss.backward(); m.opt_D.step()
    logits = m.D(L, fake)
    g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits)) + 100 * (fake - ab).abs().mean()
    m.opt_G.zero_grad(); g_loss.backward(); m.opt_G.step()


def textbook_pair(m):
    "A copy of `m` as a textbook writes it: PyTorch's plain convolutions and default (unfused) Adam, same weights."
    t = copy.deepcopy(m)
    for layer in [*t.G.modules(), *t.D.modules()]:      # the library's faster layers subclass PyTorch's: back to the plain ones
        if isinstance(layer, nn.ConvTranspose2d): layer.__class__ = nn.ConvTranspose2d
        elif isinstance(layer, nn.Conv2d): layer.__class__ = nn.Conv2d
    adam = dict(lr=m.cfg.lr, betas=(m.cfg.beta1, 0.999))
    t.opt_G, t.opt_D = torch.optim.Adam(t.G.parameters(), **adam), torch.optim.Adam(t.D.parameters(), **adam)
    return t


def step_rate(step, m, L, ab, seconds=8.0):
    "Images per second of `step` on one fixed batch, run for about `seconds` after a warm-up."
    step(m, L, ab); n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds: step(m, L, ab); n += 1
    return n * len(L) / (time.perf_counter() - t0)


def step_flops(step, m, L, ab):
    "FLOPs of one `step` (forward and backward of both networks), counted by torch."
    with FlopCounterMode(display=False) as fc: step(m, L, ab)
    return fc.get_total_flops()


def bench(size, batch, arrays, images, peak):
    cfg = replace(PRESETS['cpu32' if size == 32 else 'paper256'], batch_size=batch, gan=True, bf16=False, channels_last=False, workers=0)
    torch.manual_seed(0)
    m = Pix2Pix(cfg); t = textbook_pair(m)
    L, ab = torch.rand(batch, 1, size, size) * 2 - 1, torch.rand(batch, 2, size, size) * 0.4 - 0.2
    our_step = lambda m, L, ab: train_step(m, L, ab)
    flops, our_flops = step_flops(textbook_step, t, L, ab) / batch, step_flops(our_step, m, L, ab) / batch
    rates = [(step_rate(textbook_step, t, L, ab, 4.0), step_rate(our_step, m, L, ab, 4.0)) for _ in range(5)]
    text, ours = (float(np.median([r[i] for r in rates])) for i in (0, 1))  # alternated, median of 5: a busy machine's speed swings
    bench.ours = ours
    print(f'{size}x{size}, batch {batch}: textbook {text:6.1f} img/s ({text * flops / 1e9 / peak:5.1%} of peak), '
          f'our step {ours:6.1f} img/s ({ours * flops / 1e9 / peak:5.1%} of peak), ratio {ours / text:.2f}x '
          f'(FLOPs per image: textbook {flops / 1e9:.3f} G, ours {our_flops / 1e9:.3f} G)')
    if size != 32: return
    sub = {'x_train': arrays['x_train'][:images], 'x_test': arrays['x_test']}
    for valid_images in (cfg.valid_images, 0):             # the preset's fixed validation subset, then the whole split
        before = step_rate(textbook_step, t, L, ab, 4.0)   # the textbook step just before and just after the loop:
        rate, outside, in_steps = loop(replace(cfg, epochs=2, gan=True, valid_images=valid_images), sub)   # (the paper objective)
        after = step_rate(textbook_step, t, L, ab, 4.0)    # a busy machine's speed drifts during a loop of minutes
        bench.in_loop = in_steps
        print(f'our whole loop (2 epochs on {images} images; every feature on, validation on {valid_images or len(sub["x_test"])} '
              f'of {len(sub["x_test"])} images): {rate:6.1f} img/s ({rate * flops / 1e9 / peak:5.1%} of peak), ratio to the '
              f'textbook step {rate / ((before + after) / 2):.2f}x (textbook {before:.1f} img/s before, {after:.1f} after); '
              f'time outside the training steps {outside:.0%}, steps inside the loop {in_steps:6.1f} img/s')


def loop(run_cfg, sub):
    "Our whole loop, every feature on, for `run_cfg.epochs` epochs on `sub`: (images/s, share of time outside the steps, images/s of its steps)."
    in_steps = [0.0]
    def timed_step(*args, **kwargs):                       # the loop's own steps, timed where they run
        t = time.perf_counter(); out = train_step(*args, **kwargs); in_steps[0] += time.perf_counter() - t
        return out
    T.train_step = timed_step                              # the Learner takes `train_step` from the module
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter(); train(run_cfg, out, loaders=get_loaders(32, run_cfg.batch_size, arrays=sub)); seconds = time.perf_counter() - t0
    T.train_step = train_step
    images = run_cfg.epochs * (len(sub['x_train']) // run_cfg.batch_size) * run_cfg.batch_size
    return images / seconds, 1 - in_steps[0] / seconds, images / in_steps[0]


def validation_cost(arrays, step_rate_ours):
    "Seconds of one validation pass on the whole split and on subsets, against one cpu32 epoch of steps (at `step_rate_ours` img/s)."
    torch.manual_seed(0)
    G = Pix2Pix(PRESETS['cpu32']).G
    _, valid_dl = get_loaders(32, 64, arrays={'x_train': arrays['x_train'][:64], 'x_test': arrays['x_test']})
    def once(n):
        L, fake, ab = T.predictions(G, valid_dl, n)
        colorization_metrics(T._normalized_to_rgb(L, fake), T._normalized_to_rgb(L, ab))
    sizes = [0, 512, 256]
    runs = []
    for _ in range(3):                                     # alternated, median of 3
        row = []
        for n in sizes:
            t = time.perf_counter(); once(n); row.append(time.perf_counter() - t)
        runs.append(row)
    epoch = 79 * 64 / step_rate_ours
    for n, secs in zip(sizes, np.median(runs, 0)):
        print(f'validation on {n or len(arrays["x_test"])} images: {secs:5.2f} s = {secs / epoch:5.1%} of a cpu32 epoch of steps ({epoch:.0f} s)')


def pretrained():
    "The shipped model's steps (chapter 03b's U-Net on EfficientNet-Lite0, 128-px crops, batch 32) beside the textbook step at 32x32."
    from colorizer.runs import _new_pix2pix, FreezeEncoderCB
    torch.manual_seed(0)
    m32 = Pix2Pix(replace(PRESETS['cpu32'], gan=True)); t = textbook_pair(m32)
    L32, ab32 = torch.rand(64, 1, 32, 32) * 2 - 1, torch.rand(64, 2, 32, 32) * 0.4 - 0.2
    for name, cfg, frozen in (('pretrained, encoder frozen (L1)', PRESETS['pretrained'], True),
                              ('pretrained, whole network (L1)', PRESETS['pretrained'], False),
                              ('pretrained-gan, whole network (GAN + L1)', PRESETS['pretrained-gan'], False)):
        m = _new_pix2pix(replace(cfg, workers=0), imagenet=False); m.G.encoder.requires_grad_(not frozen)
        L, ab = torch.rand(cfg.batch_size, 1, cfg.size, cfg.size) * 2 - 1, torch.rand(cfg.batch_size, 2, cfg.size, cfg.size) * 0.4 - 0.2
        step = lambda m, L, ab: train_step(m, L, ab)
        rates = [(step_rate(textbook_step, t, L32, ab32, 3.0), step_rate(step, m, L, ab, 3.0)) for _ in range(3)]
        text, ours = (float(np.median([r[i] for r in rates])) for i in (0, 1))
        print(f'{name}, {cfg.size}x{cfg.size}, batch {cfg.batch_size}: {ours:5.1f} crops/s, {cfg.batch_size / ours:.2f} s a step; '
              f'textbook 32x32 step {text:6.1f} img/s; pixels per second, ours / textbook {ours * cfg.size ** 2 / (text * 32 ** 2):.2f}x')
    # (no share of the peak here: torch's FLOP counter counts a depthwise convolution's backward as a dense one)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('COLORIZER_DATA'))
    p.add_argument('--images', type=int, default=4096, help='training images per epoch of the whole-loop measurement')
    p.add_argument('--size256', action='store_true', help='also measure 256x256 (slow on a CPU)')
    p.add_argument('--validation', action='store_true', help='also time validation passes of several sizes')
    p.add_argument('--pretrained', action='store_true', help="only the shipped model's steps (`pretrained` presets) against the textbook step")
    a = p.parse_args()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')
    peak = matmul_peak()
    print(f'fp32 matmul peak here: {peak:.1f} GFLOP/s')
    if a.pretrained: return pretrained()
    try: arrays = cifar_arrays(a.data)
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        arrays = {'x_train': rng.integers(0, 256, (a.images, 32, 32, 3), dtype=np.uint8),
                  'x_test': rng.integers(0, 256, (a.images // 4, 32, 32, 3), dtype=np.uint8)}
        print('(no CIFAR file: random images)')
    bench(32, 64, arrays, a.images, peak)
    if a.validation: validation_cost(arrays, bench.in_loop)
    if a.size256: bench(256, 4, arrays, a.images, peak)


if __name__ == '__main__':
    main()
