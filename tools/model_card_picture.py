"""The model card's picture of known failures: validation photos where the shipped model does worst against gray.

    python tools/model_card_picture.py [--val ../shared/data/photos/val] [--n 4] [--out colorizer/weights/model_card_failures.jpg]

Each photo of Kodak24 and McMaster18 goes through `colorize` with its defaults (8-bit gray in, full size), and is
scored by its mean CIEDE2000 against the truth minus gray's; the `--n` photos where ours loses most to gray (or wins
least) are drawn as rows of gray input | ours | truth, and their names and scores printed for the card's text.
"""
import argparse
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    ap.add_argument('--val', default='../shared/data/photos/val', help='folder with kodak24/ and mcmaster/')
    ap.add_argument('--n', type=int, default=4, help='how many photos')
    ap.add_argument('--weights', default=None, help='a weights file (default: the shipped one)')
    ap.add_argument('--out', default='colorizer/weights/model_card_failures.jpg')
    a = ap.parse_args()

    import numpy as np, torch
    from PIL import Image
    from colorizer.data import image_files, load_rgb
    from colorizer.inference import colorize, load_model, side_by_side
    from colorizer.lab import rgb_to_lab
    from colorizer.metrics import ciede2000

    model = load_model(a.weights)
    as_lab = lambda rgb: rgb_to_lab(torch.from_numpy(np.array(rgb)).permute(2, 0, 1).float() / 255)
    scored = []
    for sub in ('kodak24', 'mcmaster'):
        for f in image_files(Path(a.val) / sub):
            truth = np.array(load_rgb(f)); gray = np.array(Image.fromarray(truth).convert('L'))
            ours = np.asarray(colorize(gray, model))
            d_ours = ciede2000(as_lab(ours), as_lab(truth)).mean().item()
            d_gray = ciede2000(as_lab(np.repeat(gray[..., None], 3, -1)), as_lab(truth)).mean().item()
            scored.append((d_ours - d_gray, f, gray, ours, truth, d_ours, d_gray))
    scored.sort(key=lambda s: -s[0])
    rows = []
    for worse, f, gray, ours, truth, d_ours, d_gray in scored[:a.n]:
        print(f'{f.parent.name}/{f.name}: CIEDE2000 ours {d_ours:.2f}, gray {d_gray:.2f} ({worse:+.2f})')
        half = lambda x: np.array(Image.fromarray(x).reduce(2))
        rows.append((half(gray), half(ours), half(truth)))
    picture = side_by_side(rows, titles=('black and white', 'this model', 'original'), height=192)
    picture.convert('RGB').save(a.out, quality=80)
    print('wrote', a.out)


if __name__ == '__main__': main()
