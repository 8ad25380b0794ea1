"""Training images per second with 1 and 2 processes: the plain loop against DistributedDataParallel.

Each configuration runs `colorizer.training.train_step` as `train` runs it (the plain networks for one process;
`_ddp_view`'s DistributedDataParallel wrappers, gloo on the CPU and NCCL on CUDA, for several), on random batches
of `--batch` images per process, and counts the images of all processes together. On the CPU it measures
1 process × 1 thread, 1 process × N threads (the same cores as N processes) and N processes × 1 thread; on CUDA
1 process, and N processes when there are N GPUs. The ratio against one process is printed beside each line.

Usage: python bench/ddp.py [--ngf 64] [--size 32] [--batch 16] [--steps 8] [--procs 2] [--device cpu|cuda]
"""
import argparse, os, socket, tempfile, time
from pathlib import Path
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from colorizer.generator import default_depth
from colorizer.training import Pix2Pix, train_step
from colorizer.runs import TrainConfig, _ddp_view


def _worker(rank, world, port, threads, args, result):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world))
    torch.set_num_threads(threads)
    device = torch.device('cuda', rank) if args.device == 'cuda' else torch.device('cpu')
    if device.type == 'cuda': torch.cuda.set_device(device)
    if world > 1: dist.init_process_group('nccl' if device.type == 'cuda' else 'gloo')
    torch.manual_seed(0)
    m = Pix2Pix(TrainConfig(size=args.size, depth=default_depth(args.size), ngf=args.ngf)).to(device)
    net = _ddp_view(m, device) if world > 1 else m
    L = torch.rand(args.batch, 1, args.size, args.size, device=device) * 2 - 1
    ab = torch.rand(args.batch, 2, args.size, args.size, device=device) * 2 - 1
    def steps(n):
        for _ in range(n): train_step(net, L, ab)
        if device.type == 'cuda': torch.cuda.synchronize()
        if world > 1: dist.barrier()
    steps(2)                                                  # warm-up: allocations, DDP's buckets, cuDNN choices
    start = time.perf_counter(); steps(args.steps); seconds = time.perf_counter() - start
    if rank == 0: Path(result).write_text(str(world * args.batch * args.steps / seconds))
    if world > 1: dist.destroy_process_group()


def rate(world, threads, args):
    "Images per second of `world` processes with `threads` threads each."
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    result = Path(tempfile.mkdtemp()) / 'rate'
    mp.spawn(_worker, args=(world, port, threads, args, str(result)), nprocs=world, join=True)
    return float(result.read_text())


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ngf', type=int, default=64); ap.add_argument('--size', type=int, default=32)
    ap.add_argument('--batch', type=int, default=16, help='images per process and step')
    ap.add_argument('--steps', type=int, default=8); ap.add_argument('--procs', type=int, default=2)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = ap.parse_args()
    where = torch.cuda.get_device_name() if args.device == 'cuda' else f'{os.cpu_count()} CPU cores'
    print(f'pix2pix step, {args.size}×{args.size}, ngf {args.ngf}, {args.batch} images per process, on {where}, torch {torch.__version__}')
    if args.device == 'cuda':
        runs = [(1, 1)] + ([(args.procs, 1)] if torch.cuda.device_count() >= args.procs else [])
    else: runs = [(1, 1), (1, args.procs), (args.procs, 1)]
    base = None
    for world, threads in runs:
        r = rate(world, threads, args); base = base or r
        label = f'{world} process{"es" if world > 1 else ""}' + (f' × {threads} thread{"s" if threads > 1 else ""}' if args.device == 'cpu' else '')
        print(f'{label:<26} {"DDP" if world > 1 else "plain":<6} {r:8.1f} images/s   × {r / base:.2f}')
    if args.device == 'cuda' and len(runs) == 1: print(f'(one GPU here: {args.procs} processes need {args.procs} GPUs)')
