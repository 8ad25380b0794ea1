"""Every number the model card gives for the shipped model comes from one source: the `results` that
`tools/ship_weights.py` measured and wrote into the weights file's header. The card's Kodak24 and McMaster18 rows for
this model, gray and the prior, and its CIFAR-10 line, must be those numbers at the shown precision; so must the
recipe the card and the preset table name (the header's `config` is a preset of `colorizer.runs.PRESETS`)."""
import json, re
from dataclasses import asdict

import pytest
from conftest import ROOT, LIB
from test_textbook import HEADERS, cells_of_md

WEIGHTS = ROOT/LIB/'weights'/'colorizer.safetensors'
CARD = (ROOT/LIB/'weights'/'MODEL_CARD.md').read_text(encoding='utf-8')
ROWS = {'this model': 'ours', 'gray (ab = 0)': 'gray', 'prior': 'prior'}


def header() -> dict:
    from colorizer.weights_file import generator_info
    return generator_info(WEIGHTS)


def card_rows(name: str) -> dict:
    "{method: {metric: shown text}} of the model card's table whose first header cell starts with `name`."
    lines = CARD.splitlines()
    i = next((i for i, l in enumerate(lines) if l.startswith(f'| {name}')), None)
    assert i is not None, f'the model card has no {name} table'
    keys = [next((k for h, k in HEADERS if h in col), None) for col in cells_of_md(lines[i])[1:]]
    rows = {}
    for line in lines[i + 2:]:
        if not line.startswith('|'): break
        cols = [c.strip('*') for c in cells_of_md(line)]
        method = next((m for row, m in ROWS.items() if cols[0].startswith(row)), None)
        if method: rows[method] = {k: v for k, v in zip(keys, cols[1:]) if k}
    return rows


def agrees(shown: str, value: float) -> bool:
    "`shown` is `value` at the shown precision (a dash or an empty cell claims nothing)."
    if shown in ('–', '-', ''): return True
    digits = len(shown.split('.')[1]) if '.' in shown else 0
    return shown == f'{value:.{digits}f}'


@pytest.mark.skipif(not WEIGHTS.is_file(), reason='no shipped weights file in this checkout')
@pytest.mark.parametrize('name', ['Kodak24', 'McMaster18'])
def test_model_card_rows_are_the_headers(name):
    results = json.loads(header()['results'])[name]
    rows = card_rows(name)
    assert set(rows) == set(ROWS.values()), f'{name}: the card has rows for {sorted(rows)}, not for all of {sorted(ROWS.values())}'
    bad = [f'{m} {k}: card {v}, header {results[m][k]}' for m, shown in rows.items() for k, v in shown.items()
           if k in results[m] and not agrees(v, results[m][k])]
    assert not bad, f'{name}: ' + '; '.join(bad)


@pytest.mark.skipif(not WEIGHTS.is_file(), reason='no shipped weights file in this checkout')
def test_model_card_cifar_line_is_the_headers():
    cifar = json.loads(header()['results'])['cifar_test']
    m = re.search(r'On the CIFAR-10 test split[^:]*: CIEDE2000 (\d+\.\d+), AuC (\d\.\d+), colorfulness ratio (\d\.\d+)', CARD)
    assert m, 'the model card has no CIFAR-10 line'
    for shown, key in zip(m.groups(), ('ciede2000', 'auc', 'colorfulness_ratio')):
        assert agrees(shown, cifar[key]), f'CIFAR-10 {key}: card {shown}, header {cifar[key]}'


@pytest.mark.skipif(not WEIGHTS.is_file(), reason='no shipped weights file in this checkout')
def test_shipped_config_is_a_preset():
    from colorizer.runs import PRESETS
    config = json.loads(header()['config'])
    named = [n for n, c in PRESETS.items() if asdict(c) == config]
    assert named, 'the shipped header records a configuration that no preset has: the preset table marks none as shipped'
    assert f'--preset {named[0]}' in CARD, f'the model card does not give the command of the shipped preset {named[0]}'
