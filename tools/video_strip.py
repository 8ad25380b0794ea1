"""The README's before/after strip of a film (images/video_strip.jpg): a camera pans across a sample photo shipped
with the package; rows: the black-and-white frames, `SteadyColours` (what `colorizer video` does), the original.
Usage: python tools/video_strip.py [--out images/video_strip.jpg] [--photo coffee.jpg]"""
import argparse
from pathlib import Path
import numpy as np
from PIL import Image
import colorizer
from colorizer.data import load_rgb
from colorizer.inference import load_model, side_by_side
from colorizer.video import SteadyColours, black_and_white, camera_path, film

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='images/video_strip.jpg'); p.add_argument('--photo', default='coffee.jpg')
    p.add_argument('--frames', type=int, default=48); p.add_argument('--shown', type=int, default=5)
    args = p.parse_args()
    photo = np.array(load_rgb(Path(colorizer.__file__).parent / 'samples' / args.photo))
    truth = film(photo, camera_path(photo.shape, 'pan', args.frames))
    bw = [black_and_white(f) for f in truth]
    steady = SteadyColours(load_model()); ours = [steady(f) for f in bw]
    picks = np.linspace(0, args.frames - 1, args.shown).round().astype(int)
    rows = [[bw[k] for k in picks], [ours[k] for k in picks], [truth[k] for k in picks]]
    pic = side_by_side(rows, titles=[f'frame {k}' for k in picks], height=150)
    pic.convert('RGB').save(args.out, quality=82)
    print(f'{args.out}: {pic.size[0]}x{pic.size[1]}; rows: black and white, colorizer video, original')
