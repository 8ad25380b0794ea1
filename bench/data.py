"""Images per second the data pipeline delivers, beside the images per second a training step consumes.

For each training size (32: CIFAR's own, 256: the paper's) it measures, in one process:
- the pipeline as shipped: `get_loaders` (items resized and flipped one by one, Lab conversion per batch
  in the collate function), iterated with `workers=0`, i.e. on one core;
- the alternative it was chosen over: Lab conversion per image in the dataset, default collation;
- the two parts of the pipeline alone: producing uint8 items, and `lab_batch` on a collated batch;
- one training step on a batch of that size: `colorizer.training.train_step` when that module exists,
  else a pix2pix step written here with `UNetGenerator` + `PatchDiscriminator`, else a conv net of
  similar cost;
and prints the ratio: above 1, one loader core delivers faster than training consumes, so loading
never stalls training.

With --photos DIR it measures the photo source instead (`colorizer.photos.photo_loaders`: random-scale 64×64 crops
of the photos in DIR, each photo decoded once), beside a generator-only (L1) training step on 64×64 crops, the step
the photo preset trains with; the one-off decoding of the photos is timed apart.

Usage: python bench/data.py [--data PATH] [--photos DIR] [--threads 1] [--batches 8]
"""
import argparse, os, time
import numpy as np, torch
from torch.utils.data import DataLoader, Dataset
from colorizer.data import ColorizationDataset, cifar_arrays, get_loaders, lab_batch
from _timing import best_of


def arrays(path, n=1024):
    "The first `n` trimmed-CIFAR training and test images, or random images of the same shape."
    try: a = cifar_arrays(path)
    except FileNotFoundError as e:
        print(f'({e}\n using random images of the same shape)')
        rng = np.random.default_rng(0)
        a = {k: rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8) for k in ('x_train', 'x_test')}
    return {'x_train': a['x_train'][:n], 'x_test': a['x_test'][:n]}


class PerImageLab(Dataset):
    "The alternative design: each item converted to normalized (L, ab) on its own."
    def __init__(self, ds): self.ds = ds
    def __len__(self): return len(self.ds)
    def __getitem__(self, i):
        L, ab = lab_batch(self.ds[i][None])
        return L[0], ab[0]


def loader_rate(dl, batches):
    "Images per second delivered by the first `batches` batches of a fresh pass over `dl`."
    def run():
        it = iter(dl)
        for _ in range(batches): next(it)
    return batches * dl.batch_size / best_of(run, 2)


def training_step(size, batch):
    "A function doing one training step on a (batch, size) input, and a description of it."
    L, ab = torch.rand(batch, 1, size, size) * 2 - 1, torch.rand(batch, 2, size, size) * 2 - 1
    try:
        from colorizer.training import Pix2Pix, TrainConfig, train_step
        from colorizer.generator import default_depth
        m = Pix2Pix(TrainConfig(size=size, depth=default_depth(size), batch_size=batch))
        return (lambda: train_step(m, L, ab)), 'colorizer.training.train_step (U-Net + PatchGAN, D and G updates)'
    except ImportError: pass
    try:
        from colorizer.generator import UNetGenerator, default_depth
        from colorizer.discriminator import PatchDiscriminator
        G, D = UNetGenerator(default_depth(size)), PatchDiscriminator()
        opt_G, opt_D = (torch.optim.Adam(n.parameters(), 2e-4, betas=(0.5, 0.999)) for n in (G, D))
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        def step():
            fake = G(L)
            real_logits, fake_logits = D(L, ab), D(L, fake.detach())
            d_loss = 0.5 * (bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits)))
            opt_D.zero_grad(); d_loss.backward(); opt_D.step()
            fake_logits = D(L, fake)
            g_loss = bce(fake_logits, torch.ones_like(fake_logits)) + 100 * (fake - ab).abs().mean()
            opt_G.zero_grad(); g_loss.backward(); opt_G.step()
        return step, 'pix2pix step written here (UNetGenerator + PatchDiscriminator, D and G updates)'
    except ImportError: pass
    net = torch.nn.Sequential(*[m for c_in, c_out in [(1, 64), (64, 128), (128, 256), (256, 512)]
                                for m in (torch.nn.Conv2d(c_in, c_out, 4, 2, 1), torch.nn.BatchNorm2d(c_out), torch.nn.LeakyReLU(0.2))])
    opt = torch.optim.Adam(net.parameters())
    def step():
        loss = net(L).mean(); opt.zero_grad(); loss.backward(); opt.step()
    return step, 'stand-in conv net (4 stride-2 4x4 convs; the model modules are missing)'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='trimmed CIFAR-10 file (default: as cifar_arrays finds it)')
    p.add_argument('--threads', type=int, default=1, help='torch threads (the step and the conversion)')
    p.add_argument('--batches', type=int, default=8, help='batches timed per loader pass')
    p.add_argument('--photos', default=None, help='a folder of photos: measure the photo source instead')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.photos: return photos(args.photos, args.batches)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPU(s), loader workers=0')
    data = arrays(args.data)

    for size, batch, step_batch in ((32, 64, 64), (256, 16, 4)):   # the step at 256 is timed on a small batch (CPU)
        print(f'\n== size {size}x{size}, loader batch {batch} ==')
        train_dl, _ = get_loaders(size, batch, seed=0, workers=0, arrays=data)
        shipped = loader_rate(train_dl, args.batches)
        ds = ColorizationDataset(data['x_train'], size, train=True)
        per_image = loader_rate(DataLoader(PerImageLab(ds), batch, shuffle=True), args.batches)
        items = loader_rate(DataLoader(ds, batch, shuffle=True, collate_fn=torch.stack), args.batches)
        rgb = torch.stack([ds[i] for i in range(batch)])
        convert = batch / best_of(lambda: lab_batch(rgb), 3)
        print(f'pipeline as shipped (batched Lab in collate): {shipped:8.0f} img/s')
        print(f'alternative (Lab per image in the dataset):   {per_image:8.0f} img/s  -> shipped is {shipped / per_image:.1f}x')
        print(f'  parts: uint8 items {items:.0f} img/s; lab_batch alone {convert:.0f} img/s')

        step, what = training_step(size, step_batch)
        consumed = step_batch / best_of(step, 2)
        print(f'training step, batch {step_batch}: {consumed:8.1f} img/s  [{what}]')
        print(f'pipeline / training step: {shipped / consumed:.0f}x '
              f'-> {"loading never stalls this training" if shipped > consumed else "LOADING WOULD STALL TRAINING"}')


def photos(folder, batches, size=64, batch=32):
    "The photo source against a generator-only training step on crops of the same size."
    from colorizer.photos import photo_loaders
    from colorizer.generator import UNetGenerator
    print(f'torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPU(s), loader workers=0')
    train_dl, _ = photo_loaders(folder, size=size, batch_size=batch, epoch_size=batch * (batches + 1))
    crops = train_dl.dataset.datasets['photos']
    start = time.perf_counter()
    for i in range(len(crops)): crops.photo(i)                  # decode every photo once, as a long run does
    decode = time.perf_counter() - start
    print(f'{len(crops)} photos decoded once in {decode:.1f} s ({len(crops) / decode:.0f} photos/s; '
          f'{sum(im.width * im.height * 3 for im in crops._photos.values()) / 2**20:.0f} MB kept)')
    delivered = loader_rate(train_dl, batches)
    G = UNetGenerator(5, 64).train()
    opt = torch.optim.Adam(G.parameters(), 1e-4, betas=(0.5, 0.999))
    L, ab = next(iter(train_dl))
    def step():
        loss = (G(L) - ab).abs().mean(); opt.zero_grad(); loss.backward(); opt.step()
    consumed = batch / best_of(step, 2)
    print(f'photo crops {size}x{size}, batch {batch} (Lab included): {delivered:8.0f} crops/s')
    print(f'training step (U-Net depth 5, ngf 64, L1), batch {batch}: {consumed:8.1f} crops/s')
    print(f'loader / training step: {delivered / consumed:.0f}x '
          f'-> {"loading never stalls this training" if delivered > consumed else "LOADING WOULD STALL TRAINING"}')


if __name__ == '__main__':
    main()
