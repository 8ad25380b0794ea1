"""Write colorizer/weights/colorizer.onnx, the shipped generator for onnxruntime, from the shipped safetensors file.

Run it whenever the shipped weights change (tools/ship_weights.py): `python tools/ship_onnx.py`. The deploy chapter
(nbs/06c_deploy.ipynb) checks that the two files give the same colours."""
import argparse
from colorizer.deploy import SHIPPED_ONNX, export_onnx
from colorizer.weights_file import SHIPPED_WEIGHTS

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--weights', default=str(SHIPPED_WEIGHTS), help='generator weights file (default: the shipped one)')
    p.add_argument('--out', default=str(SHIPPED_ONNX), help='the ONNX file to write (default: the shipped one)')
    args = p.parse_args()
    path = export_onnx(args.out, args.weights, overwrite=True)
    print(f'wrote {path} ({path.stat().st_size / 1e6:.1f} MB)')
