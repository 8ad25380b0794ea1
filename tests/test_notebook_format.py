"""Every numbered chapter opens the way CONTRIBUTING.md says, so it works on Colab: a title cell (`# Title`
and `> summary`), an "Open in Colab" badge pointing at this very notebook in the repository named in
settings.ini, an `#| eval: false` cell that installs the package, and a `#| default_exp`. And `nbdev_clean`,
which CI runs, keeps the metadata Colab writes (GPU choice, cell ids)."""
import json, re, shutil, subprocess, sys
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_cfg = ConfigParser(delimiters=['=']); _cfg.read(ROOT/'settings.ini', encoding='utf-8')
CFG = _cfg['DEFAULT']
NBS_DIR = ROOT/CFG['nbs_path']
CHAPTERS = sorted(p for p in NBS_DIR.glob('[0-9]*_*.ipynb'))
ALL_NBS = sorted(NBS_DIR.glob('*.ipynb'))
ids = lambda ps: [p.stem for p in ps]


def cells(nb): return json.loads(nb.read_text(encoding='utf-8'))['cells']
def src(cell): return ''.join(cell['source'])


def colab_url(nb):
    "Where the notebook's badge must point: its own path in the repository and branch of settings.ini."
    return (f"https://colab.research.google.com/github/{CFG['user']}/{CFG['repo']}/blob/{CFG['branch']}/"
            f"{nb.relative_to(ROOT).as_posix()}")


def directives(cell):
    d = {}
    for line in src(cell).splitlines():
        m = re.match(r'\s*#\s*\|\s*([\w-]+):?\s*(.*)', line)
        if not m: break
        d[m.group(1)] = m.group(2).strip()
    return d


def test_there_are_chapters():
    assert CHAPTERS, f'no numbered notebooks in {NBS_DIR}'


@pytest.mark.parametrize('nb', CHAPTERS, ids=ids(CHAPTERS))
def test_title_cell(nb):
    first = cells(nb)[0]
    assert first['cell_type'] == 'markdown', f'{nb.name}: the first cell must be the markdown title cell'
    lines = [l for l in src(first).splitlines() if l.strip()]
    assert lines and re.match(r'# \S', lines[0]), f'{nb.name}: the title cell must start with `# Title`'
    assert len(lines) > 1 and re.match(r'> \S', lines[1]), f'{nb.name}: the title must be followed by a `> summary` line'


@pytest.mark.parametrize('nb', CHAPTERS, ids=ids(CHAPTERS))
def test_colab_badge_at_the_top(nb):
    top = '\n'.join(src(c) for c in cells(nb)[:3] if c['cell_type'] == 'markdown')
    badge = re.search(r'\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]\(([^)]+)\)', top, re.I)
    assert badge, f'{nb.name}: no "Open in Colab" badge in its first cells'
    assert badge.group(1) == colab_url(nb), f'{nb.name}: the badge points at {badge.group(1)}, not {colab_url(nb)}'


@pytest.mark.parametrize('nb', ALL_NBS, ids=ids(ALL_NBS))
def test_colab_links_point_at_this_notebook(nb):
    "A badge copied from another chapter would open the wrong notebook (the home page also links every chapter)."
    text = '\n'.join(src(c) for c in cells(nb) if c['cell_type'] == 'markdown')
    links = re.findall(r'https://colab\.research\.google\.com/github/[^)\s"]+', text)
    if nb.name == 'index.ipynb':
        assert colab_url(nb) in links, f'index.ipynb: no badge for {colab_url(nb)}'
        assert all(l.rsplit('/', 1)[-1] in {p.name for p in ALL_NBS} for l in links), f'index.ipynb links a notebook that does not exist: {links}'
    else: assert all(l == colab_url(nb) for l in links), f'{nb.name}: Colab links {links}, expected only {colab_url(nb)}'


@pytest.mark.parametrize('nb', CHAPTERS, ids=ids(CHAPTERS))
def test_install_cell(nb):
    "Colab has torch but not this package: an `#| eval: false` cell installs it (tests and docs never run it)."
    pip = re.compile(rf'^[!%]pip install\b.*\b{re.escape(CFG["lib_name"])}\b', re.M)
    install = [c for c in cells(nb) if c['cell_type'] == 'code' and pip.search(src(c))]
    assert install, f'{nb.name}: no `!pip install {CFG["lib_name"]}` cell'
    assert all(directives(c).get('eval') == 'false' for c in install), f'{nb.name}: the install cell must be marked `#| eval: false`'


@pytest.mark.parametrize('nb', CHAPTERS, ids=ids(CHAPTERS))
def test_default_exp(nb):
    exps = [directives(c)['default_exp'] for c in cells(nb) if c['cell_type'] == 'code' and 'default_exp' in directives(c)]
    assert len(exps) == 1 and re.fullmatch(r'\w+(\.\w+)*', exps[0]), f'{nb.name}: needs exactly one `#| default_exp module` cell, has {exps}'


def test_one_module_per_chapter():
    mods = [directives(c)['default_exp'] for nb in CHAPTERS for c in cells(nb) if c['cell_type'] == 'code' and 'default_exp' in directives(c)]
    assert len(mods) == len(set(mods)), f'two chapters export the same module: {mods}'


def test_nbdev_clean_keeps_colab_metadata(tmp_path):
    "Clean a copy of a chapter that Colab has saved: Colab's keys stay, other editors' clutter goes."
    nb_path = tmp_path/CHAPTERS[0].name
    nb = json.loads(CHAPTERS[0].read_text(encoding='utf-8'))
    nb['metadata'].update({'colab': {'provenance': [], 'gpuType': 'T4'}, 'accelerator': 'GPU',
                           'kernelspec': {'name': 'python3', 'display_name': 'Python 3'},
                           'vscode': {'interpreter': {'hash': 'abc'}}})
    for i, c in enumerate(nb['cells']):
        c['metadata'] = {'id': f'colab-id-{i}', 'colab': {'base_uri': 'https://localhost:8080/'}, 'scrolled': True}
    nb_path.write_text(json.dumps(nb), encoding='utf-8')
    nbdev_clean = Path(sys.executable).parent/'nbdev_clean'
    subprocess.run([str(nbdev_clean) if nbdev_clean.exists() else 'nbdev_clean', '--fname', str(nb_path)], cwd=ROOT, check=True)
    out = json.loads(nb_path.read_text(encoding='utf-8'))
    assert 'vscode' not in out['metadata'], 'nbdev_clean did not clean the copy (did it find settings.ini?)'
    assert out['metadata'].get('colab') == {'provenance': [], 'gpuType': 'T4'}, 'nbdev_clean dropped the notebook\'s `colab` metadata'
    assert out['metadata'].get('accelerator') == 'GPU', 'nbdev_clean dropped Colab\'s `accelerator` (the GPU choice)'
    for i, c in enumerate(out['cells']):
        assert c['metadata'].get('id') == f'colab-id-{i}', 'nbdev_clean dropped Colab\'s cell ids'
        assert 'colab' in c['metadata'] and 'scrolled' not in c['metadata']
    for key in ('allowed_metadata_keys', 'allowed_cell_metadata_keys'):
        assert 'colab' in CFG.get(key, '').split(), f'settings.ini {key} must list colab'


@pytest.mark.parametrize('nb', ALL_NBS, ids=ids(ALL_NBS))
def test_export_cell_is_quiet_outside_the_repository(nb):
    "Colab's 'Run all' runs every cell: the `nbdev_export()` cell must do nothing where there is no settings.ini (nor nbdev)."
    calls = [src(c) for c in cells(nb) if c['cell_type'] == 'code' and 'nbdev_export()' in src(c)]
    assert all("'settings.ini'" in s and re.search(r'^if .*settings\.ini.*:', s, re.M) and re.search(r'^\s+import nbdev', s, re.M) for s in calls), \
        f'{nb.name}: the nbdev_export() cell must run only inside the repository (see 00_lab.ipynb\'s last cell)'


@pytest.mark.parametrize('nb', CHAPTERS, ids=ids(CHAPTERS))
def test_install_cell_works_before_the_release(nb):
    "Until the package is on PyPI, the install cell takes it from the repository named in settings.ini."
    install = [src(c) for c in cells(nb) if c['cell_type'] == 'code' and re.search(r'^[!%]pip install', src(c), re.M)]
    assert any(f"git+{CFG['git_url']}" in s for s in install), f'{nb.name}: the install cell must install from {CFG["git_url"]}'
