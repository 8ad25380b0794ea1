"""The GAN tables of the training chapter: the GAN term against L1 alone, and the usual GAN options (LSGAN, one-sided
label smoothing, an L1 warm-up), measured as they were for the chapter.

Protocol: `cpu32` with L1 alone for 10 epochs (this is also the "L1 warm-up" of the GAN runs), then 3 more epochs from
that checkpoint with each objective (G's weights, G's Adam state and the random state continue; D starts fresh, as
L1 alone never trained it), validated on the whole test split (1017 images, uncalibrated) after every epoch:
- BCE (paper): GAN + 100·L1, the library's `train_step`;
- LSGAN: the same with squared errors instead of cross-entropies (Mao et al., 2017);
- label smoothing: BCE with the discriminator's target for real patches at 0.9;
- L1 alone.
Each epoch-13 generator is then also calibrated as `cpu32` calibrates (target 0.7) and measured again, to compare the
objectives at equal colour.
With --no-warmup it also trains the paper's objective from scratch for 13 epochs (the warm-up's comparison).
The variants the library dropped live here, as steps handed to the library's `Learner`.

Usage: OMP_NUM_THREADS=2 nice -n 10 python experiments/training/gan_options.py [--no-warmup]
(about 35 minutes on 2 quiet CPU cores, 10 more with --no-warmup; reruns reuse the 10-epoch checkpoint)
"""
import argparse, copy, time
from dataclasses import replace
import torch, torch.nn.functional as F
from common import RUNS, on_cifar, quiet_threads, table
from colorizer.data import get_loaders
from colorizer.training import Learner, Pix2Pix, ProgressCB, RecorderCB, ValidationCB, train_step
from colorizer.runs import PRESETS, calibrate_colorfulness, load_checkpoint, train

OUT, BASE_EPOCHS, MORE = RUNS / 'gan_options', 10, 3
CFG = replace(PRESETS['cpu32'], colorfulness=0, valid_images=0)            # L1 alone, whole validation split, uncalibrated


def variant_step(loss, real_label=1.0):
    "A pix2pix step (D, then G on GAN + λ·L1 with D frozen) with another GAN loss `loss(logits, target)`."
    def step(m, L, ab):
        fake = m.G(L)
        d_real, d_fake = loss(m.D(L, ab), real_label), loss(m.D(L, fake.detach()), 0.0)
        m.opt_D.zero_grad(set_to_none=True); (0.5 * (d_real + d_fake)).backward(); m.opt_D.step()
        m.D.requires_grad_(False); g_gan = loss(m.D(L, fake), 1.0); m.D.requires_grad_(True)
        l1 = (fake - ab).abs().mean()
        m.opt_G.zero_grad(set_to_none=True); (g_gan + m.cfg.l1_weight * l1).backward(); m.opt_G.step()
        return {'d_real': d_real.detach(), 'd_fake': d_fake.detach(), 'g_gan': g_gan.detach(), 'g_l1': l1.detach()}
    return step

bce = lambda z, y: F.binary_cross_entropy_with_logits(z, torch.full_like(z, y))
mse = lambda z, y: F.mse_loss(z, torch.full_like(z, y))
VARIANTS = {'GAN + 100·L1 (paper, BCE)': (True, train_step), 'LSGAN': (True, variant_step(mse)),
            'BCE, label smoothing (real = 0.9)': (True, variant_step(bce, 0.9)), 'L1 alone': (False, train_step)}


def base_checkpoint():
    "The 10-epoch L1 run, trained once and reused."
    run = OUT / 'l1_10'
    ck = run / 'checkpoint.pt'
    done = ck.exists() and torch.load(ck, weights_only=True)['epoch'] >= BASE_EPOCHS
    if not done: train(replace(CFG, epochs=BASE_EPOCHS), run, resume=ck.exists())
    return ck


def continue_with(ck, name, gan, step):
    "Epochs 11-13 from the checkpoint `ck` with `step`: the validation records of those epochs, and the last generator calibrated and measured."
    m = Pix2Pix(CFG)
    train_dl, valid_dl = get_loaders(CFG.size, CFG.batch_size, CFG.seed, arrays=None)
    start, history = load_checkpoint(ck, m, train_dl)
    m.cfg = replace(CFG, gan=gan)                            # the objective changes from here on
    run = OUT / name.split(' (')[0].replace(' ', '_').replace(',', '').replace('·', '').replace('+', 'plus')
    learn = Learner(m, train_dl, valid_dl, [RecorderCB(), ValidationCB(run, n_images=0), ProgressCB()], step=step)
    learn.start_epoch, learn.history = start, history
    run.mkdir(parents=True, exist_ok=True)
    records = learn.fit(start + MORE).history[start:]
    G = copy.deepcopy(m.G); calibrate_colorfulness(G, train_dl, 0.7)
    return records, on_cifar(G)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--no-warmup', action='store_true', help='also train GAN + L1 from scratch for 13 epochs')
    a = p.parse_args()
    quiet_threads(); t0 = time.perf_counter()
    ck = base_checkpoint()
    results = {name: continue_with(ck, name, gan, step) for name, (gan, step) in VARIANTS.items()}
    if a.no_warmup:
        scratch = train(replace(CFG, gan=True, epochs=BASE_EPOCHS + MORE, colorfulness=0.7), OUT / 'no_warmup')
        results['GAN + 100·L1 from scratch (no warm-up)'] = (torch.load(OUT / 'no_warmup' / 'checkpoint.pt', weights_only=True)['history'][-MORE:],
                                                             on_cifar(scratch.G))   # `train` calibrated it (target 0.7)
    cols = lambda recs, k, f: ', '.join(f.format(r[k]) for r in recs)
    print(f'the epoch-{BASE_EPOCHS} L1 generator continued for {MORE} epochs; CIEDE2000 / AuC / colorfulness ratio after each\n')
    print(table(['continued with', 'CIEDE2000 ↓', 'AuC ↑', 'colorfulness ratio', 'GAN loss of G'],
                [[name, cols(r, 'ciede2000', '{:.2f}'), cols(r, 'auc', '{:.3f}'), cols(r, 'colorfulness_ratio', '{:.2f}'),
                  cols(r, 'g_gan', '{:.2f}')] for name, (r, _) in results.items()]))
    print(f'\nthe epoch-{BASE_EPOCHS + MORE} generators calibrated as cpu32 calibrates (target 0.7), on the test split\n')
    print(table(['continued with', 'CIEDE2000 ↓', 'AuC ↑', 'colorfulness ratio'],
                [[name, c['ciede2000'], c['auc'], c['colorfulness_ratio']] for name, (_, c) in results.items()]))
    print(f'\n({time.perf_counter() - t0:.0f} s)')


if __name__ == '__main__':
    main()
