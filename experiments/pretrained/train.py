"""Train the U-Net on EfficientNet-Lite0 (chapter 03b) on photo crops for a budget of CPU time, not of epochs.

The objective comparison of the runs chapter (05b) gives each objective the same compute: its budget is CPU seconds
(the process's user + system time, which a busy machine does not inflate as it does the wall clock), counted from
the first step. This is the script that made the comparison and the shipped weights (issue 21):

    python experiments/pretrained/train.py --objective l1      --budget 2400 --snapshot-at 1600 --out runs/pre/a_l1
    python experiments/pretrained/train.py --objective classes --budget 2400 --out runs/pre/b_classes
    python experiments/pretrained/train.py --objective gan     --budget 800 --init runs/pre/a_l1/snapshot.safetensors --out runs/pre/c_gan
    # the shipped model: (a), then the whole network, then the GAN term
    python experiments/pretrained/train.py --objective l1  --whole --init runs/pre/a_l1/model.safetensors --lr 1e-4 --cosine --cifar-share 0.2 --budget 5400 --out runs/pre/d_whole
    python experiments/pretrained/train.py --objective gan --whole --init runs/pre/d_whole/model.safetensors --lr 5e-5 --cifar-share 0.2 --budget 1800 --out runs/pre/e_gan

Crops: 128 px at scales 0.35–1 of a photo's short side, flips, batches of 32, epochs of 1024 crops; every 20th photo
is held out (`photo_loaders`). The encoder keeps ImageNet's batch-norm statistics; frozen unless `--whole`, when it
learns at `--enc-lr` times the decoder's rate. Each epoch writes OUT/model.safetensors (a plain state dict, no
calibration) and OUT/log.json. `colorizer train --preset pretrained` is the same recipe counted in epochs.
"""
import argparse, json, math, os, time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    ap.add_argument('--objective', choices=('l1', 'classes', 'gan'), default='l1', help='λ·L1; the colour classes; or GAN + λ·L1')
    ap.add_argument('--out', required=True, help='run folder')
    ap.add_argument('--budget', type=float, default=2400, help='CPU seconds of training')
    ap.add_argument('--init', help='start from this state dict (OUT/model.safetensors of an earlier run)')
    ap.add_argument('--whole', action='store_true', help='train the encoder too (at --enc-lr times the rate)')
    ap.add_argument('--lr', type=float, default=2e-4); ap.add_argument('--enc-lr', type=float, default=0.1)
    ap.add_argument('--cosine', action='store_true', help='the rate falls to 0 along a half cosine over the budget')
    ap.add_argument('--cifar-share', type=float, default=0.0, help='share of each batch from the trimmed CIFAR-10 (upscaled)')
    ap.add_argument('--snapshot-at', type=float, default=0, help='also save OUT/snapshot.safetensors after this many CPU seconds')
    ap.add_argument('--photos', default='../shared/data/photos/train'); ap.add_argument('--cifar', default='../shared/data/cifar10-trimmed.npz')
    ap.add_argument('--size', type=int, default=128); ap.add_argument('--batch', type=int, default=32); ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()

    import torch, torch.nn.functional as F
    from safetensors.torch import save_file, load_file
    from colorizer.pretrained import EfficientUNet, load_imagenet, class_loss, rebalance_weights, soft_encode, AB_BINS
    from colorizer.discriminator import PatchDiscriminator
    from colorizer.photos import photo_loaders
    from colorizer.data import cifar_arrays
    if 'OMP_NUM_THREADS' in os.environ: torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
    torch.manual_seed(a.seed); out = Path(a.out); out.mkdir(parents=True, exist_ok=True)

    G = EfficientUNet('classes' if a.objective == 'classes' else 'ab')
    load_imagenet(G.encoder)
    if a.init: G.load_state_dict(load_file(a.init), strict=a.objective != "classes")   # (a classes head: its weights are refitted below)
    G.encoder.requires_grad_(a.whole)
    groups = [{'params': [p for n, p in G.named_parameters() if not n.startswith('encoder.')], 'lr': a.lr}]
    if a.whole: groups.append({'params': list(G.encoder.parameters()), 'lr': a.lr * a.enc_lr})
    opt = torch.optim.Adam(groups, betas=(0.5, 0.999))
    if a.objective == 'gan': D = PatchDiscriminator(); opt_D = torch.optim.Adam(D.parameters(), a.lr, betas=(0.5, 0.999))
    cifar = cifar_arrays(a.cifar) if a.cifar_share else None
    train_dl, valid_dl = photo_loaders(a.photos, a.size, a.batch, epoch_size=1024, scales=(0.35, 1.0), seed=a.seed,
                                       cifar=cifar, cifar_share=a.cifar_share)
    if a.objective == 'classes':
        counts = torch.zeros(len(AB_BINS))
        for _, (L, ab) in zip(range(16), train_dl): counts += torch.bincount(soft_encode(F.avg_pool2d(ab, 2)).argmax(1).flatten(), minlength=len(AB_BINS)).float()
        G.class_weights.copy_(rebalance_weights(counts))
    bce = lambda z, real: F.binary_cross_entropy_with_logits(z, torch.full_like(z, float(real)))

    def step(L, ab):
        if a.objective == 'classes':
            loss = class_loss(G.logits(L), ab, G.class_weights)
            opt.zero_grad(); loss.backward(); opt.step(); return {'ce': loss.item()}
        fake, out_ = G(L), {}
        g_gan = 0
        if a.objective == 'gan':
            d_real, d_fake = bce(D(L, ab), True), bce(D(L, fake.detach()), False)
            opt_D.zero_grad(); (0.5 * (d_real + d_fake)).backward(); opt_D.step()
            D.requires_grad_(False); g_gan = bce(D(L, fake), True); D.requires_grad_(True)
            out_.update(d_real=d_real.item(), d_fake=d_fake.item(), g_gan=g_gan.item())
        l1 = (fake - ab).abs().mean()
        opt.zero_grad(); (g_gan + 100 * l1).backward(); opt.step()
        return {**out_, 'l1': l1.item()}

    @torch.no_grad()
    def val_l1():
        G.eval(); errs = [((G(L) - ab).abs().mean().item(), len(L)) for L, ab in valid_dl]
        return sum(e * n for e, n in errs) / sum(n for _, n in errs)

    save = lambda path: save_file({k: v.contiguous() for k, v in G.state_dict().items()}, str(path))
    cpu = lambda: time.process_time() - cpu0
    cpu0, wall0, log, steps = time.process_time(), time.time(), [], 0
    while cpu() < a.budget:
        G.train(); sums, k = {}, 0
        for L, ab in train_dl:
            if a.cosine:
                for g, base in zip(opt.param_groups, [a.lr, a.lr * a.enc_lr]): g['lr'] = base * 0.5 * (1 + math.cos(math.pi * min(1.0, cpu() / a.budget)))
            r = step(L, ab); steps += 1; k += 1
            if not all(math.isfinite(v) for v in r.values()): raise SystemExit(f'non-finite loss at step {steps}: {r}')
            for key, v in r.items(): sums[key] = sums.get(key, 0) + v
            if a.snapshot_at and not (out / 'snapshot.safetensors').exists() and cpu() >= a.snapshot_at: save(out / 'snapshot.safetensors')
            if cpu() >= a.budget: break
        log.append({'epoch': len(log) + 1, 'steps': steps, 'crops': steps * a.batch, **{key: v / k for key, v in sums.items()},
                    'val_l1': val_l1(), 'wall': round(time.time() - wall0), 'cpu': round(cpu())})
        print(json.dumps(log[-1]), flush=True)
        save(out / 'model.safetensors')
        (out / 'log.json').write_text(json.dumps({'args': vars(a), 'log': log}, indent=1))


if __name__ == '__main__': main()
