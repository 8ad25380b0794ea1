"""Colour calibration fitted on the TRAINING photos, rendered as inference renders them.

Every third training photo (186; short side shrunk to `side` = 128 px) goes through the pipeline: its 8-bit gray (PIL convert('L')) ->
network at the working size (or the ensemble) -> ab enlarged bilinearly -> joined with the gray's L (gamut fit). The gain g
of ab -> center + g·(ab − center) (center = the mean true ab of the training photos) is bisected so that the mean
colorfulness of the results is `target` × the mean colorfulness of the photos themselves. The result goes into the
model's ab_gain / ab_center buffers (ab_gamma = 0), where colorize / load_model / save_generator already use it.
"""
import math
from functools import lru_cache
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from colorizer.lab import rgb_to_lab, lab_to_rgb
from colorizer.metrics import colorfulness
from colorizer.inference import _fit_gamut_, _lightness
from photo_data import load_photos
from ensemble import predict_ab


@lru_cache(maxsize=2)
def train_photos_small(side=128, every=3):
    "Every `every`-th training photo (186 of 557), short side `side`, as (H, W, 3) uint8 arrays and their 8-bit gray versions as RGB."
    out = []
    for im in load_photos(max_side=side)[::every]:
        rgb = np.array(im); gray = np.array(im.convert('L').convert('RGB'))
        out.append((rgb, gray))
    return out


@torch.no_grad()
def raw_predictions(model, spec, side=128):
    "For every training photo: (L of the gray, ab of the network enlarged to the photo, true ab), calibration off."
    saved = [b.clone() for b in (model.ab_gain, model.ab_center, model.ab_gamma)]
    model.ab_gain.fill_(1.0); model.ab_center.zero_(); model.ab_gamma.zero_()
    try:
        items = []
        for rgb, gray in train_photos_small(side):
            ab = predict_ab(gray, model, spec)
            ab = F.interpolate(ab[None], size=rgb.shape[:2], mode='bilinear', align_corners=False)[0]
            L = _lightness(torch.from_numpy(gray))
            true_lab = rgb_to_lab(torch.from_numpy(rgb).permute(2, 0, 1).float() / 255)
            items.append((L, ab, true_lab[1:], rgb))
    finally:
        for b, v in zip((model.ab_gain, model.ab_center, model.ab_gamma), saved): b.copy_(v)
    return items


def _cf(L, ab):
    lab = _fit_gamut_(torch.cat([L[None], ab]).clone())
    return colorfulness((lab_to_rgb(lab) * 255).round() / 255).item()


@torch.no_grad()
def fit_gain(model, target=0.7, spec=48, side=128, items=None, iters=10):
    "Set model's calibration so the training photos' colorfulness ratio is `target`; returns (gain, center ab, ratio at gain 1)."
    items = items or raw_predictions(model, spec, side)
    n = sum(t.shape[-1] * t.shape[-2] for _, _, t, _ in items)
    center = sum(t.sum((1, 2)) for _, _, t, _ in items) / n                      # mean true ab (Lab units)
    true_cf = np.mean([colorfulness(torch.from_numpy(rgb).permute(2, 0, 1).double() / 255).item() for *_, rgb in items])
    ratio = lambda g: np.mean([_cf(L, (center[:, None, None] + g * (ab - center[:, None, None])).clamp(-110, 110))
                               for L, ab, _, _ in items]) / true_cf
    r1 = ratio(1.0)
    lo, hi = 0.0, 1.0
    while ratio(hi) < target and hi < 64: lo, hi = hi, 2 * hi
    for _ in range(iters):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ratio(mid) < target else (lo, mid)
    g = (lo + hi) / 2
    model.ab_gain.fill_(g); model.ab_center.copy_((center / 110)[:, None, None]); model.ab_gamma.zero_()
    return g, center, r1


def set_gain(model, g, center_ab):
    model.ab_gain.fill_(g); model.ab_center.copy_((torch.as_tensor(center_ab, dtype=torch.float32) / 110)[:, None, None]); model.ab_gamma.zero_()
