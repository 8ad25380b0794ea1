"""The notebooks' own tests: every notebook in `nbs/` runs as one test, exactly as `nbdev_test` runs it (same
skipped flags, same `IN_TEST` environment, in the notebook's folder), so pytest's summary counts notebooks and
`make test` runs each notebook once. Cells flagged `#| slow` are skipped unless `COLORIZER_TEST_FLAGS` names the
flag (`make test-slow` sets it)."""
import os
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb  # renamed so pytest does not collect it

NBS = sorted(p.resolve() for p in Path(get_config().nbs_path).glob('*.ipynb') if not p.name.startswith('_'))
RUN_FLAGS = os.environ.get('COLORIZER_TEST_FLAGS', '').split()
SKIP_FLAGS = [f for f in get_config().tst_flags.split() if f not in RUN_FLAGS]


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, monkeypatch):
    monkeypatch.setenv('IN_TEST', '1')
    ok, secs = run_nb(nb, skip_flags=SKIP_FLAGS, do_print=False)  # runs in the notebook's folder
    assert ok, f'{nb.name} failed; run `nbdev_test --path {nb}` to see the failing cell'
