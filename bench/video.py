"""Speed and memory of `colorizer video` (`colorize_video`) on a 10-second clip at 480p and a 4-second clip at 1080p.

The clip is a camera panning across a sample photo (enlarged), in black and white, 25 frames a second, with a
stereo AAC sound track: what an old film on disk looks like. For each size it prints, each measured in this run:
- the baseline: decoding the clip and encoding its frames again, unchanged, with the same encoder and settings
  (`colorize_video` with a colorizer that returns each frame as it is): what any video colorizer pays at least;
- `colorize_video` with the defaults (keyframes every `EVERY` frames), and with a keyframe on every frame;
- at 480p, `colorize_video` with a hint on the last frame, which the first pass (`shot_start`) carries back to the first;
- frames per second of each, and the ratio of each time to the baseline's.
Then the peak memory (RSS) of a fresh `colorizer video` process on the 480p clip and on one twice as long: bounded
memory means the two are the same, whatever the length.

Usage: python bench/video.py [--seconds-480 10] [--seconds-1080 4] [--every N ...]
"""
import argparse, os, subprocess, sys, tempfile, time
from fractions import Fraction
from pathlib import Path
from unittest import mock
import av, numpy as np
from PIL import Image
import colorizer
from colorizer.inference import load_model
from colorizer.video import EVERY, SteadyColours, colorize_video, black_and_white

def make_clip(path, width, height, seconds, rate=25):
    "A pan across a sample photo enlarged to cover the frame, in black and white, with a stereo sound track."
    photo = Image.open(Path(colorizer.__file__).parent / 'samples' / 'rocket.jpg').convert('RGB')
    big = np.array(photo.resize((int(width * 1.6), int(width * 1.6 * photo.height / photo.width)), Image.Resampling.BICUBIC))
    big = big[:max(height, big.shape[0])]
    n = int(seconds * rate)
    with av.open(str(path), 'w') as out:
        v = out.add_stream('libx264', rate=rate); v.width, v.height, v.pix_fmt = width, height, 'yuv420p'
        a = out.add_stream('aac', rate=44100, layout='stereo')
        for k in range(n):
            x = round(k * (big.shape[1] - width) / max(1, n - 1)); y = (big.shape[0] - height) // 2
            frame = black_and_white(np.ascontiguousarray(big[y:y + height, x:x + width]))
            out.mux(v.encode(av.VideoFrame.from_ndarray(frame, format='rgb24')))
        out.mux(v.encode())
        t = np.arange(1024, dtype=np.float32)
        for k in range(int(seconds * 44100 / 1024)):
            s = av.AudioFrame.from_ndarray(np.stack([np.sin((t + k * 1024) / 20), np.sin((t + k * 1024) / 30)]).astype(np.float32) * 0.1,
                                           format='fltp', layout='stereo')
            s.sample_rate, s.pts = 44100, k * 1024; out.mux(a.encode(s))
        out.mux(a.encode())
    return n

def timed(fn):
    start = time.perf_counter(); fn(); return time.perf_counter() - start

def peak_rss(clip, out):
    "Peak RSS (MB) of a fresh `colorizer video` process."
    code = ('import resource, sys\nfrom colorizer.cli import main\nstatus = main(sys.argv[1:])\n'
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\nsys.exit(status)')
    r = subprocess.run([sys.executable, '-c', code, 'video', str(clip), '--out', str(out), '--overwrite'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return float(r.stdout.split()[-1])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds-480', type=float, default=10); p.add_argument('--seconds-1080', type=float, default=4)
    p.add_argument('--every', type=int, nargs='+', default=[EVERY, 1])
    args = p.parse_args()
    model = load_model()
    import torch; print(f'torch threads: {torch.get_num_threads()}; load average before: {os.getloadavg()[0]:.2f}')
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for name, (w, h), seconds in (('480p', (854, 480), args.seconds_480), ('1080p', (1920, 1080), args.seconds_1080)):
            clip = d / f'{name}.mp4'; n = make_clip(clip, w, h, seconds)
            with mock.patch.object(SteadyColours, '__call__', lambda self, rgb: rgb):
                base = timed(lambda: colorize_video(clip, d / 'copy.mp4', model, overwrite=True))
            print(f'{name} ({w}x{h}, {n} frames, {seconds:g} s): decode + encode alone {base:.1f} s = {n / base:.1f} frames/s')
            for every in args.every:
                t = timed(lambda: colorize_video(clip, d / 'out.mp4', model, every=every, overwrite=True))
                print(f'  colorize_video, keyframe every {every} frame(s): {t:.1f} s = {n / t:.1f} frames/s; {t / base:.1f}x decode + encode')
                if every == EVERY and name == '480p':   # a hint on the last frame: the first pass follows the camera through the whole clip
                    th = timed(lambda: colorize_video(clip, d / 'out.mp4', model, hints=[(w // 2, h // 2, '#2060c0')], at=(n - 1) / 25,
                                                      overwrite=True))
                    print(f'  ... with a hint on the last frame (carried back to the first): {th:.1f} s = {n / th:.1f} frames/s; '
                          f'{th / t:.2f}x without; the first pass {n / (th - t):.0f} frames/s')
        clip = d / 'long.mp4'; make_clip(clip, 854, 480, 2 * args.seconds_480)
        print(f'peak RSS of `colorizer video` at 480p: {args.seconds_480:g} s clip {peak_rss(d / "480p.mp4", d / "o.mp4"):.0f} MB, '
              f'{2 * args.seconds_480:g} s clip {peak_rss(clip, d / "o.mp4"):.0f} MB')
