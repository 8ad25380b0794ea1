"""The pytest bridge: every notebook in `nbs/` runs as one test, exactly as `nbdev_test` runs it
(same skipped flags, same `IN_TEST` environment), so pytest's summary counts notebooks."""
import os
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb  # renamed so pytest does not collect it

NBS = sorted(p.resolve() for p in Path(get_config().nbs_path).glob('*.ipynb') if not p.name.startswith('_'))
SKIP_FLAGS = get_config().tst_flags.split()


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, monkeypatch):
    monkeypatch.setenv('IN_TEST', '1')
    ok, secs = run_nb(nb, skip_flags=SKIP_FLAGS, do_print=False)  # runs in the notebook's folder
    assert ok, f'{nb.name} failed; run `nbdev_test --path {nb}` to see the failing cell'
