"""Experiment 3: one default for every size — predict at several working sizes (and the mirror image) and average.

`predict_ab(rgb, model, spec)` is the network part of the pipeline for a spec that is either an int (one render size, as
colorizer.inference.colorize) or an `Ensemble(sizes, mirror)`; `colorize_ensemble` is the full-resolution pipeline:
ab of every view enlarged bilinearly to the largest view's working size, averaged, then joined with the photo's own L
by colorizer.inference._compose (enlarged to full size, gamut fit).
"""
from typing import NamedTuple
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from colorizer.inference import _as_rgb, _network_input, _predict_ab, _compose, _check_render_size


class Ensemble(NamedTuple):
    sizes: tuple = (32, 48, 64)
    mirror: bool = True
    def __str__(self): return 'ens' + '-'.join(map(str, self.sizes)) + ('m' if self.mirror else '')


def parse_spec(s):
    "'48' -> 48; 'ens32-48-64m' -> Ensemble((32, 48, 64), True); 'ens32-48-64' -> no mirror."
    if str(s).startswith('ens'):
        body = s[3:]; mirror = body.endswith('m')
        return Ensemble(tuple(int(x) for x in body.rstrip('m').split('-')), mirror)
    return int(s)


def predict_ab(rgb: np.ndarray, model, spec) -> torch.Tensor:  # (H, W, 3) uint8 -> ab (2, h, w), Lab units
    "The network's ab for the photo `rgb` at the working size of `spec` (the largest view for an ensemble)."
    if isinstance(spec, int):
        return _predict_ab(model, [_network_input(rgb, spec)])[0]
    views, flips = [], []
    for s in spec.sizes:
        _check_render_size(s)
        l = _network_input(rgb, s)
        views.append(l); flips.append(False)
        if spec.mirror: views.append(l.flip(-1)); flips.append(True)
    abs_ = _predict_ab(model, views)
    big = max((ab.shape[-2:] for ab in abs_), key=lambda hw: hw[0] * hw[1])
    acc = torch.zeros(2, *big)
    for ab, fl in zip(abs_, flips):
        if fl: ab = ab.flip(-1)
        acc += ab if ab.shape[-2:] == big else F.interpolate(ab[None], size=big, mode='bilinear', align_corners=False)[0]
    return acc / len(abs_)


def colorize_ensemble(image, model, sizes=(32, 48, 64), mirror=True) -> Image.Image:
    "Full-resolution colorization averaged over working sizes `sizes` and (if `mirror`) the mirrored photo."
    rgb = _as_rgb(image)
    return Image.fromarray(_compose(rgb, predict_ab(rgb, model, Ensemble(tuple(sizes), mirror))))


def colorize_spec(image, model, spec) -> Image.Image:
    "colorizer.inference.colorize for an int spec; colorize_ensemble for an Ensemble."
    rgb = _as_rgb(image)
    return Image.fromarray(_compose(rgb, predict_ab(rgb, model, spec)))
