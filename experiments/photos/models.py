"""Generators for the experiments, built on colorizer.generator.UNetGenerator.

- `FlexUNet`: the same U-Net with `in_ch` input channels (1 = L; 4 = L + hint a, hint b, mask for the later hint
  feature) and, as head, either the regression output (2 ab channels, tanh, colour calibration: `head='ab'`) or colour
  classification logits over the ab bins at HALF resolution (`head='cls'`, a 1×1 conv on the last decoder features).
- `ColorBins`: Zhang, Isola & Efros (2016) quantization: in-gamut ab bins on a grid of 10, soft encoding over the 5
  nearest bins (σ = 5), class rebalancing weights (λ = ½, prior smoothed with σ = 5), annealed-mean decoding (T).
- `load_any` / `save_any`: weights files. An 'ab' FlexUNet with in_ch 1 has exactly UNetGenerator's state dict, so it is
  saved with colorizer.training.save_generator and loads with colorizer.inference.load_model.
"""
import json, math
from pathlib import Path
from functools import lru_cache
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
import safetensors.torch
from colorizer.generator import UNetGenerator, Conv4x4, _pad_to_multiple, stretch_colors, init_weights
from colorizer.lab import rgb_to_lab
from colorizer.weights_file import save_generator, load_generator, atomic_write, _with_calibration

SHIPPED = str(Path(__file__).resolve().parents[2] / 'runs' / 'cpu32' / 'generator.safetensors')   # the cpu32 generator these runs started from


# ---------------------------------------------------------------- colour bins (Zhang et al. 2016)
@lru_cache(maxsize=1)
def gamut_bins(grid=10):
    "Centres (Q, 2) of the ab cells (side `grid`) that some sRGB colour falls in (nearest centre); Q = 261 for grid 10."
    g = torch.linspace(0, 1, 128, dtype=torch.float64)
    cells = set()
    for r in g:
        gg, b = torch.meshgrid(g, g, indexing='ij')
        lab = rgb_to_lab(torch.stack([torch.full_like(gg, float(r)), gg, b]))
        cells |= set(map(tuple, torch.unique(torch.round(lab[1:] / grid).long().reshape(2, -1).T, dim=0).tolist()))
    return torch.tensor(sorted(cells), dtype=torch.float32) * grid


class ColorBins(nn.Module):
    "Soft encoding, rebalancing weights and annealed-mean decoding over the in-gamut ab bins (Lab units)."
    def __init__(self, grid=10, k=5, sigma=5.0):
        super().__init__()
        c = gamut_bins(grid)
        self.register_buffer('centers', c)                                 # (Q, 2)
        self.register_buffer('weights', torch.ones(len(c)))               # rebalancing, set by fit_prior
        self.register_buffer('prior', torch.full((len(c),), 1 / len(c)))  # empirical (smoothed) bin prior
        self.k, self.sigma = k, sigma
        # look-up table: for every integer (a, b) in [-128, 127]², the k nearest bins
        ab = torch.stack(torch.meshgrid(torch.arange(-128, 128.), torch.arange(-128, 128.), indexing='ij'), -1).reshape(-1, 2)
        d = torch.cdist(ab, c)
        self.register_buffer('lut', d.topk(k + 3, largest=False).indices.reshape(256, 256, k + 3).short())

    @property
    def Q(self): return len(self.centers)

    def encode(self, ab):  # ab (B, 2, H, W) in Lab units -> idx (B, k, H, W) long, w (B, k, H, W) soft targets
        a, b = ab[:, 0].round().clamp(-128, 127).long() + 128, ab[:, 1].round().clamp(-128, 127).long() + 128
        cand = self.lut[a, b].long()                                       # (B, H, W, k+3) candidates from the table
        d2 = ((self.centers[cand] - ab.permute(0, 2, 3, 1)[..., None, :]) ** 2).sum(-1)   # exact distances
        d2, j = d2.topk(self.k, largest=False)
        idx = cand.gather(-1, j)
        w = torch.softmax(-d2 / (2 * self.sigma ** 2), -1)
        return idx.permute(0, 3, 1, 2), w.permute(0, 3, 1, 2)

    @torch.no_grad()
    def fit_prior(self, abs_, lam=0.5, sigma=5.0):
        "Empirical bin prior of the pixels `abs_` (iterable of (2, ...) ab tensors), smoothed by a Gaussian (σ in ab units) over the bins; set rebalancing weights."
        counts = torch.zeros(self.Q, dtype=torch.float64)
        for ab in abs_:
            q = torch.cdist(ab.reshape(2, -1).T.float(), self.centers).argmin(1)
            counts += torch.bincount(q, minlength=self.Q).double()
        p = counts / counts.sum()
        kern = torch.exp(-torch.cdist(self.centers, self.centers).double() ** 2 / (2 * sigma ** 2))
        p = (kern @ p); p = p / p.sum()
        w = 1 / ((1 - lam) * p + lam / self.Q)
        w = w / (p * w).sum()                                               # E_p[w] = 1
        self.prior.copy_(p.float()); self.weights.copy_(w.float())
        return p, w

    def loss(self, logits, ab, rebalance=True):  # logits (B, Q, h, w); ab (B, 2, h, w) Lab units
        idx, w = self.encode(ab)
        logp = F.log_softmax(logits.float(), 1).gather(1, idx)             # (B, k, h, w)
        ce = -(w * logp).sum(1)                                             # (B, h, w)
        if rebalance:
            q_star = idx.gather(1, w.argmax(1, keepdim=True))[:, 0]        # nearest bin
            ce = ce * self.weights[q_star]
        return ce.mean()

    def decode(self, logits, T=0.38):  # (B, Q, h, w) -> annealed mean ab (B, 2, h, w), Lab units
        p = torch.softmax(logits.float() / T, 1)
        return torch.einsum('bqhw,qc->bchw', p, self.centers)


# ---------------------------------------------------------------- the generator
class FlexUNet(UNetGenerator):
    "UNetGenerator with `in_ch` inputs and an 'ab' (regression) or 'cls' (bin logits at half resolution) head."
    def __init__(self, depth=5, ngf=64, in_ch=1, head='ab', T=0.38):
        super().__init__(depth, ngf)
        self.in_ch, self.head, self.T = in_ch, head, T
        if in_ch != 1:
            self.down[0].conv = Conv4x4(in_ch, ngf, bias=True); init_weights(self.down[0])
        if head == 'cls':
            self.bins = ColorBins()
            del self.final
            self.cls = nn.Conv2d(2 * ngf, self.bins.Q, 1)
            nn.init.normal_(self.cls.weight, 0, 0.02); nn.init.zeros_(self.cls.bias)

    def features(self, x):  # (B, in_ch, H, W) -> decoder features (B, 2ngf, H/2, W/2) of the padded input, crop
        x, crop = _pad_to_multiple(x, 2 ** self.depth)
        skips = []
        for down in self.down:
            x = down(x); skips.append(x)
        for up, skip in zip(self.up, reversed(skips[:-1])):
            x = torch.cat([up(x), skip], dim=1)
        return x, crop

    def logits(self, x):  # half-resolution logits of the padded input
        f, crop = self.features(x)
        return self.cls(f), crop

    def forward(self, x):  # (B, in_ch, H, W) -> normalized ab (B, 2, H, W)
        if x.ndim != 4 or x.shape[1] != self.in_ch:
            raise ValueError(f'expected input of shape (B, {self.in_ch}, H, W), got {tuple(x.shape)}')
        if self.head == 'ab':
            f, crop = self.features(x)
            ab = torch.tanh(self.final(f))
        else:
            lg, crop = self.logits(x)
            ab = F.interpolate(self.bins.decode(lg, self.T) / 110, scale_factor=2, mode='bilinear', align_corners=False)
        return stretch_colors(ab, self.ab_center, self.ab_gain, self.ab_gamma)[..., crop[0], crop[1]]


def from_shipped(model: FlexUNet, path=SHIPPED):
    "Copy every tensor of the weights file that fits `model` (the output layer of a 'cls' head and a wider first layer do not); reset the calibration."
    with safe_open(path, framework='pt') as f: src = {k: f.get_tensor(k).float() for k in f.keys()}
    own = model.state_dict(); loaded, skipped = [], []
    for k, v in src.items():
        if k.startswith('ab_'): continue
        if k in own and own[k].shape == v.shape: own[k] = v; loaded.append(k)
        elif k == 'down.0.conv.weight' and k in own:       # wider first layer: L weights into channel 0, hints start at 0
            w = torch.zeros_like(own[k]); w[:, :1] = v; own[k] = w; loaded.append(k)
        else: skipped.append(k)
    model.load_state_dict(own)
    return loaded, skipped


def save_any(model: FlexUNet, path, **info):
    "An 'ab' 1-channel model: save_generator (loads with colorizer's load_model). Otherwise: safetensors + our header."
    if model.head == 'ab' and model.in_ch == 1:
        plain = UNetGenerator(model.depth, model.ngf); plain.load_state_dict(model.state_dict())
        return save_generator(plain, path, **info)
    tensors = {k: (v.half() if v.is_floating_point() and not k.startswith('bins.') else v).contiguous().cpu()
               for k, v in model.state_dict().items()}
    meta = {'format': 'experiments.FlexUNet', 'depth': str(model.depth), 'ngf': str(model.ngf), 'in_ch': str(model.in_ch),
            'head': model.head, 'T': str(model.T), **{k: str(v) for k, v in info.items()}}
    return atomic_write(path, lambda f: f.write(safetensors.torch.save(tensors, metadata=meta)), overwrite=True)


def load_any(path, T=None):
    "A model from a weights file written by save_any (or any colorizer generator file), float32, eval mode."
    with safe_open(str(path), framework='pt') as f:
        meta = f.metadata() or {}
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    if meta.get('format') == 'colorizer.UNetGenerator':
        m = FlexUNet(int(meta['depth']), int(meta['ngf']))
    else:
        m = FlexUNet(int(meta['depth']), int(meta['ngf']), int(meta['in_ch']), meta['head'], float(meta['T']))
    tensors = _with_calibration(tensors)
    m.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in tensors.items()})
    if T is not None: m.T = T
    return m.eval()
