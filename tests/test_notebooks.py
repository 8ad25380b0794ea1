"""Every chapter runs top to bottom outside the repository, as on Colab, and this is the one place `make test` runs
the notebooks: once each.

The wheel built from this checkout is installed with its `notebooks` and `app` extras into a fresh venv (torch from this
machine's wheels, as Colab has its own; see conftest.py). Each notebook is copied alone into an empty folder and run
with nbclient in a Jupyter kernel of that venv, skipping only the `pip install` cell (Colab runs it; here the wheel is
already installed) and the cells flagged `#| slow` (unless `COLORIZER_TEST_FLAGS=slow`, as `make test-slow` sets).
`$COLORIZER_DATA` stands in for the torchvision download when the data file is at hand; without it the chapters must
still run to the end. Each run's fresh outputs are kept in `RUNS`, where tests/test_outputs.py compares them with the
committed ones. While writing a chapter, `nbdev_test --path nbs/NN_x.ipynb` runs it inside the checkout."""
import json, os, re, subprocess, tempfile
from pathlib import Path

import pytest

from conftest import CFG, NBS_DIR

NBS = sorted(p.resolve() for p in NBS_DIR.glob('*.ipynb') if not p.name.startswith('_'))
RUN_FLAGS = os.environ.get('COLORIZER_TEST_FLAGS', '').split()
SKIP_FLAGS = [f for f in CFG['tst_flags'].split() if f not in RUN_FLAGS]
DATA = next((Path(p) for p in [os.environ.get('COLORIZER_DATA'), NBS_DIR.parent.parent/'shared'/'data'/'cifar10-trimmed.npz']
             if p and Path(p).is_file()), None)
RUNS = {}   # (notebook, skipped flags) -> (ok, error text, {cell index: fresh outputs of every cell that ran})
_PIP = re.compile(rf'^\s*[!%]pip install\b.*\b{re.escape(CFG["lib_name"])}\b', re.M)
_ANSI = re.compile(r'\x1b\[[0-9;]*m')


def source(cell) -> str: return cell['source'] if isinstance(cell['source'], str) else ''.join(cell['source'])


def skipped(cell, skip_flags=SKIP_FLAGS) -> bool:
    "The cells a run leaves out: markdown, the install cell, and cells flagged with a test flag that is not asked for."
    if cell['cell_type'] != 'code': return True
    flags = re.findall(r'^\s*#\s*\|\s*([\w-]+)\s*$', source(cell), re.M)
    return bool(_PIP.search(source(cell))) or any(f in skip_flags for f in flags)


_RUNNER = '''
import json, sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
nb = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(nb, timeout=1800, kernel_name='python3', allow_errors=False, resources={'metadata': {'path': sys.argv[2]}})
try: client.execute(); error = ''
except CellExecutionError as e: error = str(e)
nbformat.write(nb, sys.argv[1])
sys.exit(error[-8000:] or None)
'''


def run_notebook(nb: Path, venv: Path, skip_flags=SKIP_FLAGS):
    "Run `nb` alone in an empty folder with `venv`'s kernel, once per session: (ok, error text, {cell index: fresh outputs})."
    nb = Path(nb).resolve()
    key = (nb, tuple(skip_flags))
    if key in RUNS: return RUNS[key]
    book = json.loads(nb.read_text(encoding='utf-8'))
    ran = [i for i, c in enumerate(book['cells']) if not skipped(c, skip_flags)]
    for i, c in enumerate(book['cells']):
        if c['cell_type'] == 'code':
            c['outputs'], c['execution_count'] = [], None          # a committed output must never pass for a fresh one
            if i not in ran: c['source'] = ''                        # left out, but keeping the cells' numbers
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)/'colab'; work.mkdir()                        # an empty folder: no repository around it
        (work/nb.name).write_text(json.dumps(book), encoding='utf-8')
        env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'COLORIZER_DATA', 'IN_TEST', 'VIRTUAL_ENV')}
        env.update(MPLBACKEND='agg', HOME=d, PATH=f'{venv/"bin"}{os.pathsep}{env.get("PATH", "")}')
        if DATA: env['COLORIZER_DATA'] = str(DATA)
        r = subprocess.run([str(venv/'bin'/'python'), '-c', _RUNNER, str(work/nb.name), str(work)],
                           cwd=work, env=env, capture_output=True, text=True)
        done = json.loads((work/nb.name).read_text(encoding='utf-8'))['cells']
    fresh = {i: done[i].get('outputs', []) for i in ran if done[i].get('execution_count') is not None}
    RUNS[key] = r.returncode == 0, _ANSI.sub('', r.stderr), fresh
    return RUNS[key]


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook_runs_outside_the_repository(nb, colab_venv):
    ok, error, _ = run_notebook(nb, colab_venv)
    assert ok, f'{nb.name} stopped outside the repository (run `nbdev_test --path {nb}` to work on it):\n{error[-6000:]}'
