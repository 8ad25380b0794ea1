"""The notebooks' own tests: every notebook in `nbs/` runs as one test, exactly as `nbdev_test` runs it (same
skipped flags, same `IN_TEST` environment, in the notebook's folder), so pytest's summary counts notebooks and
`make test` runs each notebook once. Cells flagged `#| slow` are skipped unless `COLORIZER_TEST_FLAGS` names the
flag (`make test-slow` sets it). Each run's fresh outputs are kept in `RUNS`, where tests/test_outputs.py finds
them to compare with the committed ones, so the notebooks do not run a second time for that."""
import os
from pathlib import Path
from unittest import mock

import pytest
from execnb.shell import CaptureShell
from fastcore.basics import str2bool
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.frontmatter import FrontmatterProc
from nbdev.process import NBProcessor

NBS = sorted(p.resolve() for p in Path(get_config().nbs_path).glob('*.ipynb') if not p.name.startswith('_'))
RUN_FLAGS = os.environ.get('COLORIZER_TEST_FLAGS', '').split()
SKIP_FLAGS = [f for f in get_config().tst_flags.split() if f not in RUN_FLAGS]
RUNS = {}   # notebook path -> (ok, error text, {cell index: fresh outputs of every cell that ran})


def skipped(cell, skip_flags=SKIP_FLAGS) -> bool:
    "Whether `nbdev_test` leaves `cell` out: not code, the `nbdev_export()` cell, `#| eval: false`, or a skipped flag."
    if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
    directives = getattr(cell, 'directives_', {}) or {}
    if directives.get('eval:', [''])[0].lower() == 'false': return True
    return bool(set(skip_flags) & directives.keys())


def run_notebook(nb: Path, skip_flags=SKIP_FLAGS):
    "Run `nb` as `nbdev.test.test_nb` does, once per session: (ok, error text, {cell index: fresh outputs})."
    nb = Path(nb).resolve()
    key = (nb, tuple(skip_flags))
    if key in RUNS: return RUNS[key]
    book = NBProcessor(nb, procs=FrontmatterProc, process=True).nb
    if str2bool(getattr(book, 'frontmatter_', {}).get('skip_exec', False)): return True, '', {}
    fresh = {}
    for cell in book.cells:
        if cell.cell_type == 'code': cell.outputs = []        # a committed output must never pass for a fresh one
    shell = CaptureShell(nb)
    try:
        with mock.patch.dict(os.environ, IN_TEST='1'), working_directory(nb.parent):
            shell.run_all(book, exc_stop=True, preproc=lambda c: skipped(c, skip_flags),
                          postproc=lambda c: fresh.__setitem__(c.idx_, list(c.get('outputs') or [])))
        result = True, '', fresh
    except Exception: result = False, shell.prettytb(fname=nb), fresh
    RUNS[key] = result
    return result


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    ok, error, _ = run_notebook(nb)
    assert ok, f'{nb.name} failed; run `nbdev_test --path {nb}` to see the failing cell\n{error[-3000:]}'
