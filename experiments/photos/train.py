"""Experiments 2, 4, 5, 6: train a generator on random-scale photo crops (optionally + CIFAR-10), from the shipped weights.

objective: l1 (regression, λ·L1), cls (Zhang et al. 2016 colour classification), either + --gan (PatchGAN, BCE, L1/CE weight λ).
Writes OUT/generator.safetensors (+ OUT/log.jsonl, OUT/train.log). Step count is fixed (reproducible), the LR follows a
cosine from --lr to 0. The first layer takes --in-ch channels (1 = L; 4 = L + hint a, b, mask — not trained here).
"""
import argparse, json, math, sys, time
from pathlib import Path
import torch
import torch.nn.functional as F
sys.path.insert(0, str(Path(__file__).parent))
from photo_data import photo_loader, load_photos
from models import FlexUNet, from_shipped, save_any, SHIPPED
from colorizer.discriminator import PatchDiscriminator
from colorizer.lab import denormalize_ab, rgb_to_lab
from colorizer.training import gan_loss


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--objective', choices=['l1', 'cls'], default='l1')
    p.add_argument('--gan', action='store_true')
    p.add_argument('--lam', type=float, default=100.0, help='weight of L1 (or CE) against the GAN term')
    p.add_argument('--init', default=SHIPPED, help="weights to start from ('none': from scratch)")
    p.add_argument('--steps', type=int, default=2400)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--sizes', default='', help='comma list: a random training size per batch (overrides --size)')
    p.add_argument('--scale-min', type=float, default=0.1)
    p.add_argument('--scale-max', type=float, default=1.0)
    p.add_argument('--cifar-ratio', type=float, default=0.0)
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--beta1', type=float, default=0.5)
    p.add_argument('--in-ch', type=int, default=1)
    p.add_argument('--T', type=float, default=0.38)
    p.add_argument('--no-rebalance', action='store_true')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', default='auto', help="1, 2, or 'auto': every 40 steps time 2 steps with the other count and keep the faster (shared machine)")
    p.add_argument('--save-every', type=int, default=0, help='also write OUT/step<N>.safetensors every N steps')
    a = p.parse_args(argv)
    torch.set_num_threads(2 if a.threads == 'auto' else int(a.threads)); torch.manual_seed(a.seed)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    log = open(out / 'log.jsonl', 'w')
    say = lambda s: (print(s, flush=True))
    say(f'args: {json.dumps(vars(a))}')

    G = FlexUNet(5, 64, in_ch=a.in_ch, head='cls' if a.objective == 'cls' else 'ab', T=a.T)
    if a.init != 'none':
        loaded, skipped = from_shipped(G, a.init); say(f'init from {a.init}: {len(loaded)} tensors, skipped {skipped}')
    t0 = time.perf_counter()
    photos = load_photos()
    say(f'decoded {len(photos)} photos in {time.perf_counter() - t0:.1f}s')
    if a.objective == 'cls':   # empirical bin prior of the TRAINING photos (shrunk to short side 128), smoothed σ = 5
        from PIL import Image
        def abs_():
            for im in photos:
                s = 128 / min(im.size); im = im.resize((round(im.width * s), round(im.height * s)), Image.Resampling.BICUBIC)
                yield rgb_to_lab(torch.from_numpy(__import__('numpy').array(im)).permute(2, 0, 1).float() / 255)[1:]
        pr, w = G.bins.fit_prior(abs_())
        say(f'bins: Q={G.bins.Q}; prior max {pr.max():.4f}, rebalancing weights {w.min():.2f}..{w.max():.2f}')

    sizes = [int(s) for s in a.sizes.split(',')] if a.sizes else [a.size]
    loaders = {s: iter(photo_loader(a.batch if len(sizes) == 1 else max(4, a.batch * a.size ** 2 // s ** 2), 0, size=s,
                                    scale_min=a.scale_min, scale_max=a.scale_max, cifar_ratio=a.cifar_ratio,
                                    photos=photos, seed=a.seed * 100 + s)) for s in sizes}
    opt = torch.optim.Adam(G.parameters(), a.lr, betas=(a.beta1, 0.999))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 0.5 * (1 + math.cos(math.pi * min(i, a.steps) / a.steps)))
    if a.gan:
        D = PatchDiscriminator(); optD = torch.optim.Adam(D.parameters(), a.lr, betas=(a.beta1, 0.999))
        schedD = torch.optim.lr_scheduler.LambdaLR(optD, lambda i: 0.5 * (1 + math.cos(math.pi * min(i, a.steps) / a.steps)))
    gen = torch.Generator().manual_seed(a.seed)
    G.train(); t0 = time.perf_counter(); sums, n = {}, 0
    cur, times = 2, {1: [], 2: []}         # auto threads: every 40 steps, try 2 steps with the other count; keep the faster
    for step in range(a.steps):
        if a.threads == 'auto':
            probe = step % 40 in (38, 39)
            n_thr = (3 - cur) if probe else cur
            torch.set_num_threads(n_thr)
            if step % 40 == 0 and step and times[1] and times[2]:
                cur = min((1, 2), key=lambda k: sum(times[k][-2:]) / len(times[k][-2:])); times = {1: [], 2: []}
        ts = time.perf_counter()
        s = sizes[torch.randint(len(sizes), (1,), generator=gen).item()]
        L, ab = next(loaders[s])
        if a.in_ch > 1: L = torch.cat([L, L.new_zeros(L.shape[0], a.in_ch - 1, *L.shape[2:])], 1)   # no hints yet
        losses = {}
        if a.objective == 'l1':
            fake = G(L)
            main_loss = (fake - ab).abs().mean(); losses['l1'] = main_loss.detach()
        else:
            lg, crop = G.logits(L)
            ab_half = F.avg_pool2d(denormalize_ab(ab), 2)                  # truth at the logits' resolution
            main_loss = G.bins.loss(lg, ab_half, rebalance=not a.no_rebalance); losses['ce'] = main_loss.detach()
            if a.gan: fake = F.interpolate(G.bins.decode(lg, G.T) / 110, scale_factor=2, mode='bilinear', align_corners=False)
        if a.gan:
            Lg = L[:, :1]
            d_real = gan_loss(D(Lg, ab), True); d_fake = gan_loss(D(Lg, fake.detach()), False)
            optD.zero_grad(set_to_none=True); (0.5 * (d_real + d_fake)).backward(); optD.step(); schedD.step()
            D.requires_grad_(False); g_gan = gan_loss(D(Lg, fake), True); D.requires_grad_(True)
            loss = g_gan + a.lam * main_loss
            losses.update(d_real=d_real.detach(), d_fake=d_fake.detach(), g_gan=g_gan.detach())
        else: loss = main_loss
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
        for k, v in losses.items(): sums[k] = sums.get(k, 0.0) + v.item()
        n += 1
        if a.threads == 'auto' and step % 40 != 0: times[torch.get_num_threads()].append(time.perf_counter() - ts)
        if not math.isfinite(loss.item()): raise FloatingPointError(f'loss {loss.item()} at step {step}')
        if (step + 1) % 100 == 0 or step + 1 == a.steps:
            rec = {'step': step + 1, 'seconds': round(time.perf_counter() - t0, 1), 'lr': sched.get_last_lr()[0], 'threads': torch.get_num_threads(),
                   **{k: round(v / n, 5) for k, v in sums.items()}}
            log.write(json.dumps(rec) + '\n'); log.flush(); say(json.dumps(rec)); sums, n = {}, 0
        if a.save_every and (step + 1) % a.save_every == 0 and step + 1 < a.steps:
            G.eval(); save_any(G, out / f'step{step + 1}.safetensors', recipe=json.dumps(vars(a))); G.train()
    secs = time.perf_counter() - t0
    G.eval()
    path = save_any(G, out / 'generator.safetensors', recipe=json.dumps(vars(a)), train_seconds=round(secs))
    say(f'trained {a.steps} steps in {secs / 60:.1f} min; wrote {path}')


if __name__ == '__main__':
    main()
