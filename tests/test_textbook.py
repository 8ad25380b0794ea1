"""The textbook pix2pix baseline has one source: `colorizer/weights/textbook.json`, which `bench/textbook.py` writes and
the package ships. Chapters 04 and 07 read it; every textbook row they show (their committed outputs) must be the
JSON's numbers, and so must the textbook rows of the tables in README.md and the model card. The script itself runs
end to end on a tiny budget when the data is at hand."""
import json, os, re, subprocess, sys
from pathlib import Path

import pytest
from conftest import ROOT, LIB, NBS_DIR

JSON = ROOT/LIB/'weights'/'textbook.json'
TEXTBOOK = json.loads(JSON.read_text(encoding='utf-8'))
SCRIPT = ROOT/'bench'/'textbook.py'
SETS = {'cifar_test', 'Kodak24', 'McMaster18'}
# table headers -> the metric keys of `evaluate` (the first that a header contains)
HEADERS = [('CIEDE2000', 'ciede2000'), ('AuC', 'auc'), ('accuracy', 'accuracy'), ('PSNR', 'psnr'), ('SSIM', 'ssim'),
           ('colorfulness ratio', 'colorfulness_ratio'), ('colorfulness', 'colorfulness'), ('L drift', 'l_drift'), ('ΔL', 'l_drift')]
DATA = Path(os.environ.get('COLORIZER_DATA') or ROOT.parent/'shared'/'data'/'cifar10-trimmed.npz')
VAL = Path(os.environ.get('COLORIZER_VAL_PHOTOS') or ROOT.parent/'shared'/'data'/'photos'/'val')


def cells(name): return json.loads((NBS_DIR/name).read_text(encoding='utf-8'))['cells']
def join(t): return t if isinstance(t, str) else ''.join(t)
def cells_of_md(s): return [c.strip() for c in re.split(r'(?<!\\)\|', s.strip().strip('|'))]   # (an escaped \| stays in its cell)


def textbook_rows(markdown: str, default_set: str) -> list:
    "[(set, {metric: shown text})] for each table row of `markdown` that starts with 'textbook'."
    rows, lines = [], markdown.splitlines()
    for i, line in enumerate(lines):
        if not (line.startswith('|') and i + 1 < len(lines) and re.match(r'^\|\s*:?-', lines[i + 1])): continue
        head = cells_of_md(line)
        keys = [next((k for h, k in HEADERS if h in col), None) for col in head[1:]]
        where = next((s for s in ('Kodak24', 'McMaster18') if s in head[0]), default_set)
        for row in lines[i + 2:]:
            if not row.startswith('|'): break
            cols = cells_of_md(row)
            if cols[0].strip('*').startswith('textbook'): rows.append((where, {k: v for k, v in zip(keys, cols[1:]) if k}))
    return rows


def shown_in_outputs(nb: str) -> list:
    "The textbook rows a notebook's committed outputs show; a table belongs to the photo set the cell printed last (else CIFAR-10)."
    found = []
    for c in cells(nb):
        where = 'cifar_test'
        for o in c.get('outputs', []):
            if o['output_type'] == 'stream':
                named = re.findall(r'Kodak24|McMaster18', join(o['text']))
                where = named[-1] if named else where
            elif 'text/markdown' in o.get('data', {}):
                found += textbook_rows(join(o['data']['text/markdown']), where)
    return found


def mismatches(rows, strict: bool) -> list:
    "Each shown number that is not the JSON's at the shown precision (strict: a – where the JSON has a number, too)."
    bad = []
    for where, shown in rows:
        truth = TEXTBOOK['results'][where]
        for k, text in shown.items():
            if text in ('–', '-'):
                if strict and k in truth: bad.append(f'{where} {k}: shows – but the JSON has {truth[k]}')
                continue
            decimals = len(text.split('.')[1]) if '.' in text else 0
            if k not in truth or f'{truth[k]:.{decimals}f}' != text.strip('*'):
                bad.append(f'{where} {k}: shows {text}, the JSON has {truth.get(k, "nothing")}')
    return bad


def test_the_json_is_whole():
    "Every set with the chapters' columns, how it was made, and the recipe's budget (not a shortened run)."
    assert set(TEXTBOOK['results']) == SETS
    for name, r in TEXTBOOK['results'].items():
        assert {'ciede2000', 'auc', 'colorfulness_ratio'} <= set(r), name
        assert all(isinstance(v, float) and v == v for v in r.values()), name
    assert TEXTBOOK['source'].strip() and 'shortened' not in TEXTBOOK['source']
    epochs = int(re.search(r'^EPOCHS = (\d+)', SCRIPT.read_text(encoding='utf-8'), re.M).group(1))
    assert TEXTBOOK['made']['epochs'] == epochs, f"the JSON was made with {TEXTBOOK['made']['epochs']} epochs, the recipe has {epochs}"


@pytest.mark.parametrize('nb, sets', [('04_metrics.ipynb', {'cifar_test'}), ('07_evaluation.ipynb', SETS)])
def test_chapters_show_the_json(nb, sets):
    "The textbook rows in the committed outputs are the JSON's numbers (re-execute the chapter after a new JSON)."
    rows = shown_in_outputs(nb)
    assert {where for where, _ in rows} == sets, f'{nb} shows textbook rows for {sorted({w for w, _ in rows})}, expected {sorted(sets)}'
    assert not mismatches(rows, strict=True), mismatches(rows, strict=True)


@pytest.mark.parametrize('nb', ['04_metrics.ipynb', '07_evaluation.ipynb'])
def test_chapters_read_the_json(nb):
    "The chapters' code reads the JSON and types none of its CIEDE2000 values in."
    code = '\n'.join(join(c['source']) for c in cells(nb) if c['cell_type'] == 'code')
    assert "'textbook.json'" in code
    typed = [f"{r['ciede2000']:.2f}" for r in TEXTBOOK['results'].values() if f"{r['ciede2000']:.2f}" in code]
    assert not typed, f'{nb} types textbook numbers in: {typed}'


@pytest.mark.parametrize('doc', ['README.md', f'{LIB}/weights/MODEL_CARD.md'])
def test_documents_show_the_json(doc):
    "README's and the model card's tables: each textbook number they show is the JSON's (– where they leave one out)."
    rows = textbook_rows((ROOT/doc).read_text(encoding='utf-8'), 'cifar_test')
    assert not mismatches(rows, strict=False), mismatches(rows, strict=False)


@pytest.mark.skipif(not (DATA.is_file() and (VAL/'kodak24').is_dir()),
                    reason=f'the script needs the trimmed CIFAR-10 ({DATA}) and the validation photos ({VAL})')
def test_the_script_writes_what_the_chapters_read(tmp_path):
    "bench/textbook.py on a tiny budget (2 steps, 2 images of each set): a JSON of the committed one's shape."
    out = tmp_path/'run'
    r = subprocess.run([sys.executable, str(SCRIPT), '--epochs', '1', '--images', '128', '--limit', '2', '--out', str(out),
                        '--data', str(DATA), '--val', str(VAL)], cwd=tmp_path, capture_output=True, text=True,
                       env={**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '2')})
    assert r.returncode == 0, r.stderr[-3000:]
    made = json.loads((out/'textbook.json').read_text(encoding='utf-8'))      # a shortened run never writes the package's file
    assert set(made) >= set(TEXTBOOK) and set(made['results']) == SETS
    assert made['images'] == {'cifar_test': 2, 'Kodak24': 2, 'McMaster18': 2}
    assert made['made']['steps'] == 2 and 'shortened' in made['source']
    for name, r in made['results'].items():
        assert {'ciede2000', 'auc', 'accuracy', 'psnr', 'ssim', 'colorfulness_ratio', 'l_drift'} <= set(r), name
        assert 0 < r['ciede2000'] < 100 and 0 < r['auc'] <= 1
