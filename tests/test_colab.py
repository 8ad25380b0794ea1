"""Every chapter runs top to bottom outside the repository, as on Colab: the wheel built from this checkout is
installed with its `notebooks` extra into a fresh venv (torch from this machine's wheels, as Colab has its own);
each notebook is copied alone into an empty folder and run with nbclient in a Jupyter kernel of that venv,
skipping only the `pip install` cell (Colab runs it; here the wheel is already installed) and the cells flagged
`#| slow` (unless `COLORIZER_TEST_FLAGS=slow`, as `make test-slow` sets). `$COLORIZER_DATA` stands in for the
torchvision download when the data file is at hand; without it the chapters must still run to the end.

This is the one place `make test` runs the notebooks: once each, outside the checkout."""
import json, os, re, shutil, subprocess, sys, time
from pathlib import Path

import pytest

from conftest import CFG, NBS_DIR, make_venv, run

NOTEBOOKS = sorted(NBS_DIR.glob('*.ipynb'))
RUN_FLAGS = os.environ.get('COLORIZER_TEST_FLAGS', '').split()
SKIP_FLAGS = [f for f in CFG['tst_flags'].split() if f not in RUN_FLAGS]
DATA = next((p for p in [os.environ.get('COLORIZER_DATA'), NBS_DIR.parent.parent/'shared'/'data'/'cifar10-trimmed.npz']
             if p and Path(p).is_file()), None)
_PIP = re.compile(rf'^\s*[!%]pip install\b.*\b{re.escape(CFG["lib_name"])}\b', re.M)


def _skipped(cell):
    "The cells this run leaves out: the install cell, and cells flagged with a test flag that is not asked for."
    src = ''.join(cell['source'])
    if cell['cell_type'] != 'code': return False
    flags = re.findall(r'^\s*#\s*\|\s*([\w-]+)\s*$', src, re.M)
    return bool(_PIP.search(src)) or any(f in SKIP_FLAGS for f in flags)


@pytest.fixture(scope='module')
def colab_venv(dist):
    "The wheel with its `notebooks` extra, and a Jupyter kernel (nbclient, ipykernel), in a venv of their own."
    _, wheel = dist
    return make_venv(wheel, extras='notebooks', tools=['nbclient', 'nbformat', 'ipykernel'], name='colab')


_RUNNER = '''
import sys, time, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
nb = nbformat.read(sys.argv[1], as_version=4)
start = time.time()
try: NotebookClient(nb, timeout=1800, kernel_name='python3', resources={'metadata': {'path': sys.argv[2]}}).execute()
except CellExecutionError as e: sys.exit(str(e)[-6000:])
print(f'{time.time() - start:.1f}')
'''


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_outside_the_repository(nb, colab_venv, tmp_path):
    book = json.loads(nb.read_text(encoding='utf-8'))
    book['cells'] = [c for c in book['cells'] if not _skipped(c)]
    work = tmp_path/'colab'; work.mkdir()                     # an empty folder: no repository around it
    (work/nb.name).write_text(json.dumps(book), encoding='utf-8')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'COLORIZER_DATA', 'IN_TEST', 'VIRTUAL_ENV')}
    env.update(MPLBACKEND='agg', HOME=str(tmp_path), PATH=f'{colab_venv/"bin"}{os.pathsep}{env.get("PATH", "")}')
    if DATA: env['COLORIZER_DATA'] = str(DATA)
    r = subprocess.run([str(colab_venv/'bin'/'python'), '-c', _RUNNER, str(work/nb.name), str(work)],
                       cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f'{nb.name} stopped outside the repository:\n{r.stderr[-6000:]}'
    print(f'{nb.name}: {r.stdout.strip().splitlines()[-1]} s outside the repository')
