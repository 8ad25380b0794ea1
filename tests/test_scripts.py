"""The scripts beside the library, bench/ (timings) and experiments/ (one-off studies), still run against today's
library: each answers `--help` with its usage and exit status 0, without side effects (run from an empty folder, it
leaves it empty), which imports everything it imports. Experiments use the library's public names only; every helper
module is used by a script."""
import ast, os, re, subprocess, sys
from pathlib import Path

import pytest
from conftest import ROOT, LIB

FILES = sorted(p for d in ('bench', 'experiments') for p in (ROOT/d).rglob('*.py'))
SCRIPTS = [p for p in FILES if re.search(r'^if __name__ == .__main__.:', p.read_text(encoding='utf-8'), re.M)]
HELPERS = [p for p in FILES if p not in SCRIPTS]
rel = lambda p: p.relative_to(ROOT).as_posix()


def test_there_are_scripts():
    assert len(SCRIPTS) >= 8 and (ROOT/'bench'/'textbook.py') in SCRIPTS, [rel(p) for p in SCRIPTS]


@pytest.mark.parametrize('script', SCRIPTS, ids=rel)
def test_help(script, tmp_path):
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]), 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([sys.executable, str(script), '--help'], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, f'{rel(script)} --help exited {r.returncode}:\n{r.stderr[-3000:]}'
    assert r.stdout.startswith('usage:') and script.name in r.stdout.splitlines()[0], r.stdout[:500]
    assert not list(tmp_path.iterdir()), f'{rel(script)} --help wrote {sorted(p.name for p in tmp_path.iterdir())}'


def imports(path: Path) -> list:
    "(module, names) of every `from M import a, b` and `import M` in the file."
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.ImportFrom) and node.module: out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import): out += [(a.name, []) for a in node.names]
    return out


@pytest.mark.parametrize('script', [p for p in FILES if 'experiments' in p.parts], ids=rel)
def test_experiments_use_public_names(script):
    "No private name of the library (`_name`), and no `module._name` either."
    private = [f'{m}.{n}' for m, names in imports(script) if m.split('.')[0] == LIB for n in names if n.startswith('_')]
    private += re.findall(rf'\b{LIB}(?:\.\w+)*\._\w+', script.read_text(encoding='utf-8'))
    assert not private, f'{rel(script)} imports private names: {private}'


@pytest.mark.parametrize('helper', HELPERS, ids=rel)
def test_helpers_are_used(helper):
    "A helper module (no `__main__`) is imported by a script of its folder, else it is dead code."
    users = [p for p in SCRIPTS if p.parent == helper.parent and any(m == helper.stem for m, _ in imports(p))]
    assert users, f'{rel(helper)} is imported by no script in {rel(helper.parent)}'
