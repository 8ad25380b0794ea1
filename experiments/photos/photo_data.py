"""Experiment 1: a photo-folder training source of random-scale crops, optionally mixed with CIFAR-10.

Each photo is decoded ONCE per process (worker) and kept in memory as a PIL image, pre-shrunk so that its
short side is at most `max_side`; every crop is then a single `Image.resize(..., box=...)` of the cached
image (crop and resize in one call), plus a random horizontal flip.

The crop side is a fraction `f` of the photo's short side, drawn log-uniformly in [scale_min, scale_max];
the crop is resized to `size`×`size`. A whole photo shrunk to a render size r shows its content at
r / short side; a crop of fraction f resized to `size` shows it at size / (f · short side), i.e. like a
render size of size / f. With size 64 and f in [0.1, 1] that is render sizes 64 … 640 (f > 1 is allowed:
the crop box then extends beyond the photo and is filled by reflection-free clamping — we do not use it).
"""
import math, time, random, warnings
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from torch.utils.data import IterableDataset, DataLoader, get_worker_info
from colorizer.data import image_files, load_rgb, lab_batch, cifar_arrays

PHOTOS = Path(str(Path(__file__).resolve().parents[3] / 'shared' / 'data') + '/photos/train')
CIFAR = Path(str(Path(__file__).resolve().parents[3] / 'shared' / 'data') + '/cifar10-trimmed.npz')


def load_photos(folder=PHOTOS, max_side=512, verbose=True):
    "Decode every photo under `folder` once; shrink so the short side is <= max_side. Bad files are skipped and named once."
    ims, bad = [], []
    for f in image_files(folder):
        try: im = load_rgb(f)
        except OSError as e: bad.append(f'{f}: {e}'); continue
        s = max_side / min(im.size)
        if s < 1: im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.Resampling.BICUBIC, reducing_gap=3.0)
        ims.append(im)
    if bad and verbose: warnings.warn('skipped unreadable photos: ' + '; '.join(bad))
    return ims


class PhotoCrops(IterableDataset):
    "An endless stream of uint8 (3, size, size) RGB crops: random-scale photo crops, or (with prob. cifar_ratio) CIFAR-10 images."
    def __init__(self, folder=PHOTOS, size=64, scale_min=0.1, scale_max=1.0, cifar_ratio=0.0, cifar=CIFAR,
                 max_side=512, seed=0, photos=None):
        self.folder, self.size, self.smin, self.smax, self.ratio = folder, size, scale_min, scale_max, cifar_ratio
        self.cifar, self.max_side, self.seed, self._photos, self._cifar = cifar, max_side, seed, photos, None

    def _cache(self):   # per process: decoded once
        if self._photos is None: self._photos = load_photos(self.folder, self.max_side)
        if self.ratio > 0 and self._cifar is None: self._cifar = cifar_arrays(self.cifar)['x_train']
        return self._photos

    def crop(self, rng):
        photos = self._cache()
        if self.ratio > 0 and rng.random() < self.ratio:
            im = Image.fromarray(self._cifar[rng.randrange(len(self._cifar))])
            if im.size != (self.size, self.size): im = im.resize((self.size, self.size), Image.Resampling.BICUBIC)
        else:
            im0 = photos[rng.randrange(len(photos))]
            w, h = im0.size
            f = math.exp(rng.uniform(math.log(self.smin), math.log(self.smax)))
            side = min(f * min(w, h), w, h)
            x, y = rng.uniform(0, w - side), rng.uniform(0, h - side)
            red = side / self.size
            im = im0.resize((self.size, self.size), Image.Resampling.BICUBIC, box=(x, y, x + side, y + side),
                            reducing_gap=3.0 if red >= 3 else None)
        if rng.random() < 0.5: im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return torch.from_numpy(np.array(im)).permute(2, 0, 1).contiguous()

    def __iter__(self):
        wi = get_worker_info()
        rng = random.Random(self.seed * 1000 + (wi.id if wi else 0))
        while True: yield self.crop(rng)


def _collate(items): return lab_batch(torch.stack(items))


def photo_loader(batch_size=32, workers=0, **kw):
    "Endless loader of normalized (L (B,1,s,s), ab (B,2,s,s)) batches."
    ds = PhotoCrops(**kw)
    return DataLoader(ds, batch_size=batch_size, num_workers=workers, collate_fn=_collate,
                      persistent_workers=workers > 0, prefetch_factor=4 if workers else None)


if __name__ == '__main__':   # the speed check: crops/s of the source vs. crops/s a training step consumes
    import argparse
    p = argparse.ArgumentParser(); p.add_argument('--size', type=int, default=64); p.add_argument('--batch', type=int, default=32)
    p.add_argument('--cifar-ratio', type=float, default=0.0); p.add_argument('--workers', type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(2)
    t = time.perf_counter(); photos = load_photos(); t_load = time.perf_counter() - t
    mem = sum(im.width * im.height * 3 for im in photos) / 2**20
    print(f'decoded {len(photos)} photos once in {t_load:.1f}s, cache {mem:.0f} MiB (short side <= 512)')
    dl = photo_loader(a.batch, a.workers, size=a.size, cifar_ratio=a.cifar_ratio, photos=photos if a.workers == 0 else None)
    it = iter(dl); next(it)
    t = time.perf_counter(); n = 30
    for _ in range(n): L, ab = next(it)
    dt = (time.perf_counter() - t) / n
    print(f'loader: {dt * 1e3:.1f} ms per batch of {a.batch} crops {a.size}px incl. Lab conversion = {a.batch / dt:.0f} crops/s (workers={a.workers}, cifar_ratio={a.cifar_ratio})')
    # raw crop speed without Lab
    ds = PhotoCrops(size=a.size, photos=photos, cifar_ratio=a.cifar_ratio); rng = random.Random(0)
    t = time.perf_counter(); [ds.crop(rng) for _ in range(500)]; dt1 = (time.perf_counter() - t) / 500
    print(f'crop alone: {dt1 * 1e6:.0f} us per crop = {1 / dt1:.0f} crops/s')
    from colorizer.inference import load_model
    G = load_model(SHIPPED); G.train()
    opt = torch.optim.Adam(G.parameters(), 1e-4)
    ts = []
    for _ in range(4):
        t = time.perf_counter(); loss = (G(L) - ab).abs().mean(); opt.zero_grad(); loss.backward(); opt.step(); ts.append(time.perf_counter() - t)
    st = float(np.median(ts[1:]))
    print(f'training step (U-Net depth 5 ngf 64, L1): {st * 1e3:.0f} ms per batch = {a.batch / st:.0f} crops/s; loader is {st / dt:.0f}x faster than the step')
