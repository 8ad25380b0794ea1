"""Distributed training (`colorizer.runs` under torchrun): two CPU processes with gloo, on 32 generated images.

- two ranks end a run with identical weights, and only rank 0 writes (checkpoints, pictures, weights);
- resuming under DDP gives bit for bit the weights of an uninterrupted DDP run;
- one DDP step over a global batch of 2B images equals one single-process step over the same 2B images
  (batch norm in eval mode: on the CPU PyTorch has no SyncBatchNorm);
- `torchrun --nproc_per_node 2 colorizer train --preset smoke` works from the command line.
"""
import json, os, socket, subprocess, sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from colorizer.training import Pix2Pix, TrainConfig, train_step
from colorizer.runs import PRESETS
from colorizer.weights_file import generator_info

WORLD, B = 2, 4
BIN = Path(sys.executable).parent


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    "A tiny stand-in for cifar10-trimmed.npz: 32 smooth random 32×32 photos per split, same keys."
    rng = np.random.default_rng(0)
    def photos(n):
        coarse = rng.integers(0, 256, (n, 4, 4, 3)).astype(np.float32)
        return np.clip(coarse.repeat(8, 1).repeat(8, 2) + rng.normal(0, 8, (n, 32, 32, 3)), 0, 255).astype(np.uint8)
    path = tmp_path_factory.mktemp('data') / 'tiny.npz'
    np.savez(path, x_train=photos(32), y_train=np.zeros(32, np.uint8), x_test=photos(32), y_test=np.zeros(32, np.uint8),
             classes=np.array(['thing'] * 10))
    return path


def _batch():
    "A fixed global batch of 2B normalized (L, ab) pairs."
    g = torch.Generator().manual_seed(1)
    L = torch.rand(WORLD * B, 1, 32, 32, generator=g) * 2 - 1
    return L, torch.cat([0.4 * L, -0.3 * L], 1) + 0.1 * torch.rand(WORLD * B, 2, 32, 32, generator=g)


def _one_step(m, L, ab):
    "One train_step with batch norm in eval mode (and so dropout off); returns parameters and gradients."
    m.G.eval(); m.D.eval()
    train_step(m, L, ab)
    nets = {'G': getattr(m.G, 'module', m.G), 'D': getattr(m.D, 'module', m.D)}
    return {f'{n}.{k}': (p.detach().clone(), p.grad.clone()) for n, net in nets.items() for k, p in net.named_parameters()}


def _states(m):
    return {'G': m.G.state_dict(), 'D': m.D.state_dict()}


def _worker(rank, port, tmp, data):
    "One process of the distributed run; leaves what it saw in tmp/rank{rank}.pt."
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(WORLD),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import colorizer.training as T, colorizer.runs as R, colorizer.weights_file as W
    writes = []                                     # every file the training code writes (all through atomic_write), in this process
    atomic = W.atomic_write
    T.atomic_write = R.atomic_write = W.atomic_write = lambda path, write, **kw: (writes.append(Path(path).name), atomic(path, write, **kw))[1]
    dist.init_process_group('gloo')                 # joined once here; `train` finds the group and uses it
    cfg, tmp = PRESETS['smoke'], Path(tmp)
    one_go = _states(R.train(cfg, tmp / 'one_go', data=data))
    seed = torch.initial_seed()                     # what the last epoch's dropout drew from
    R.train(replace(cfg, epochs=1), tmp / 'resumed', data=data)
    resumed = _states(R.train(cfg, tmp / 'resumed', resume=True, data=data))
    torch.manual_seed(0)
    m = T.Pix2Pix(TrainConfig(depth=5, ngf=8))
    L, ab = _batch()
    step = _one_step(R._ddp_view(m, torch.device('cpu')), L[rank * B:(rank + 1) * B], ab[rank * B:(rank + 1) * B])
    torch.save({'one_go': one_go, 'resumed': resumed, 'step': step, 'writes': writes,
                'dropout_seed': seed}, tmp / f'rank{rank}.pt')
    dist.destroy_process_group()


@pytest.fixture(scope='module')
def ranks(data, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('ddp')
    mp.spawn(_worker, args=(_free_port(), str(tmp), str(data)), nprocs=WORLD, join=True)
    return tmp, [torch.load(tmp / f'rank{r}.pt', weights_only=True) for r in range(WORLD)]


def _equal(a, b): return all(torch.equal(a[k], b[k]) for k in a) and a.keys() == b.keys()


def test_ranks_agree(ranks):
    _, (r0, r1) = ranks
    for net in 'GD':     # parameters and buffers (batch-norm statistics, ab_gain) alike
        assert _equal(r0['one_go'][net], r1['one_go'][net]), f'{net} differs between the ranks'
    assert r0['one_go']['G']['ab_gain'] != 1              # the calibration ran, and reached rank 1
    assert r0['dropout_seed'] != r1['dropout_seed']        # dropout draws differ between the ranks


def test_only_rank0_writes(ranks):
    tmp, (r0, r1) = ranks
    assert r1['writes'] == []
    run = ['samples_001.png', 'checkpoint.pt', 'samples_002.png', 'checkpoint.pt', 'generator.safetensors']
    assert r0['writes'][:5] == run                          # one checkpoint per epoch, written once
    assert sorted(p.name for p in (tmp / 'one_go').iterdir()) == sorted(set(run))
    state = torch.load(tmp / 'one_go' / 'checkpoint.pt', weights_only=True)
    assert state['epoch'] == 2 and len(state['history']) == 2


def test_resume_under_ddp_is_exact(ranks):
    _, (r0, r1) = ranks
    for net in 'GD':
        assert _equal(r0['one_go'][net], r0['resumed'][net]), f'{net}: resumed run differs from the run in one go'
        assert _equal(r1['resumed'][net], r0['resumed'][net])


def test_ddp_step_equals_single_process_step(ranks):
    "DDP over 2 × B images = one process over the same 2B images (gradients averaged = gradient of the mean)."
    _, (r0, r1) = ranks
    torch.manual_seed(0)
    reference = _one_step(Pix2Pix(TrainConfig(depth=5, ngf=8)), *_batch())
    assert r0['step'].keys() == reference.keys()
    for k, (p, g) in reference.items():
        for r in (r0, r1):
            torch.testing.assert_close(r['step'][k][1], g, rtol=1e-4, atol=1e-6, msg=lambda m: f'gradient of {k}: {m}')
            torch.testing.assert_close(r['step'][k][0], p, rtol=1e-5, atol=1e-6, msg=lambda m: f'{k} after the step: {m}')


def test_torchrun_command_line(data, tmp_path):
    "The issue's command: torchrun --nproc_per_node 2 $(which colorizer) train --preset smoke --out DIR."
    if not (BIN / 'torchrun').exists() or not (BIN / 'colorizer').exists(): pytest.skip('torchrun or colorizer not installed')
    out = tmp_path / 'run'
    cmd = [str(BIN / 'torchrun'), '--standalone', '--nproc_per_node', '2', str(BIN / 'colorizer'), 'train',
           '--preset', 'smoke', '--out', str(out), '--data', str(data), '--epochs', '1']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    def run(*extra):
        p = subprocess.run(cmd + list(extra), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
        return p.stdout
    assert run().count('wrote ') == 1                                       # rank 0 alone reports
    assert sorted(p.name for p in out.iterdir()) == ['checkpoint.pt', 'generator.safetensors', 'samples_001.png']
    run('--resume', '--epochs', '2')
    state = torch.load(out / 'checkpoint.pt', weights_only=True)
    assert state['epoch'] == 2 and [r['epoch'] for r in state['history']] == [1, 2]
    assert json.loads(generator_info(out / 'generator.safetensors')['config'])['batch_size'] == 8
