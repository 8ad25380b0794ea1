"""The README against what it documents: every `colorizer` command line it shows against that command's `--help`
(the options it names exist, spelled as `--help` spells them; the presets it lists are the presets), one spelling
of each option in every text a reader sees, and its numbers about the shipped model against the model card
(`colorizer/weights/MODEL_CARD.md`, the one source for them). The model card's own pictures must lie beside it in
the package, so that its links work in an installed package as on GitHub and the docs site."""
import io, json, re
from contextlib import redirect_stderr, redirect_stdout
from fnmatch import fnmatch

import pytest

from conftest import CFG, LIB, NBS_DIR, ROOT

README = (ROOT/'README.md').read_text(encoding='utf-8')
CARD_PATH = ROOT/LIB/'weights'/'MODEL_CARD.md'
CARD = CARD_PATH.read_text(encoding='utf-8')


def help_text(*argv) -> str:
    "What `colorizer *argv` prints (for `--help`: the usage and the options)."
    from colorizer.cli import main
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        try: main(list(argv))
        except SystemExit: pass
    return out.getvalue()


def readme_commands() -> list:
    "(command, the rest of the line) for every line of a code block and every inline code that starts `colorizer COMMAND`."
    blocks = re.findall(r'^```[\w-]*\n(.*?)^```', README, re.S | re.M)
    inline = re.findall(r'`([^`\n]+)`', re.sub(r'^```.*?^```', '', README, flags=re.S | re.M))
    lines = [l.split('  #')[0].strip() for block in blocks for l in block.splitlines()] + [c.strip() for c in inline]
    return [(m.group(1), m.group(2)) for l in lines if (m := re.match(r'colorizer (\w+)(.*)', l))]


def section(text, heading) -> str:
    "The part of markdown `text` under the `## heading` (up to the next `## `)."
    m = re.search(rf'^##+ {re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)', text, re.M | re.S)
    assert m, f'no section {heading!r}'
    return m.group(1)


def test_readme_commands_exist_with_their_options():
    usage = help_text('--help')
    commands = readme_commands()
    assert {c for c, _ in commands} >= {'colorize', 'demo', 'video', 'train', 'evaluate', 'app'}, commands
    wrong = []
    for command, rest in commands:
        assert re.search(rf'^  {command}\s', usage, re.M), f'the README shows `colorizer {command}`, which `colorizer --help` does not list'
        helped = help_text(command, '--help')
        for option in re.findall(r'(?<![\w-])--[\w-]+', rest):
            if not re.search(rf'(?<![\w-]){re.escape(option)}(?![\w-])', helped): wrong.append(f'colorizer {command} {option}')
    assert not wrong, 'the README names options that `--help` does not have (or spells differently): ' + ', '.join(sorted(set(wrong)))


def test_options_are_spelled_with_hyphens_in_help():
    "`--help` shows `--render-size`, never `--render_size`: one spelling, the one the README and the chapters use."
    for command in ('colorize', 'demo', 'video', 'train', 'evaluate', 'app'):
        underscored = re.findall(r'--\w+_\w+', help_text(command, '--help'))
        assert not underscored, f'colorizer {command} --help spells {underscored} with underscores'


def test_readme_presets_are_the_presets():
    "The presets the README lists for `colorizer train --preset` are those `train --help` names, all of them."
    listed = re.search(r'--preset \{([\w,-]+)\}', README)
    assert listed, 'the README lists no presets as --preset {a,b,...}'
    helped = re.search(r'--preset PRESET\s+(.+?)\s*\(default', help_text('train', '--help'), re.S).group(1)
    names = re.findall(r'[\w-]+', helped.replace(' or ', ', '))
    assert listed.group(1).split(',') == names, f'README: {listed.group(1)}; train --help: {names}'


# Texts a reader sees, with the names of colorizer's options in them. The training chapter (05) still writes
# `--sync_bn`: it is being split into two chapters elsewhere, and joins this list when that is done.
NOT_YET = set()


def _texts():
    yield 'README.md', README
    yield 'CONTRIBUTING.md', (ROOT/'CONTRIBUTING.md').read_text(encoding='utf-8')
    yield 'MODEL_CARD.md', CARD
    for nb in sorted(NBS_DIR.glob('*.ipynb')):
        if nb.name in NOT_YET: continue
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        yield nb.name, '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')


def test_one_spelling_of_each_option():
    "No reader's text spells an option of `colorizer` with underscores (`--render_size`): `--help` says `--render-size`."
    options = set()
    for command in ('colorize', 'demo', 'video', 'train', 'evaluate', 'app'):
        options |= set(re.findall(r'(?<![\w-])--[a-z]+(?:-[a-z]+)+', help_text(command, '--help')))
    underscored = {o.replace('-', '_').replace('__', '--', 1) for o in options}
    found = [f'{name}: {o}' for name, text in _texts() for o in sorted(underscored) if re.search(rf'{o}(?!\w)', text)]
    assert not found, 'options spelled with underscores: ' + ', '.join(found)


def _table(text, first_header) -> dict:
    "{row name: {column name: cell}} of the markdown table whose header starts with `first_header`."
    m = re.search(rf'^\| {re.escape(first_header)}[^\n]*\n\|[-:| ]+\n((?:\|[^\n]*\n?)+)', text, re.M)
    assert m, f'no table headed {first_header!r}'
    head = [h.strip() for h in re.split(r'(?<!\\)\|', m.group(0).splitlines()[0].strip().strip('|'))]
    rows = [[c.strip().strip('*') for c in re.split(r'(?<!\\)\|', line.strip().strip('|'))] for line in m.group(1).strip().splitlines()]
    return {r[0]: dict(zip(head[1:], r[1:])) for r in rows}


# README row -> model card row (the card names them at more length); README column -> model card column
ROWS = {'ours': 'this model', 'ours before the pretrained encoder': 'the previous shipped model', 'textbook pix2pix': 'textbook pix2pix',
        'gray': 'gray (ab = 0)', 'prior': 'prior'}
COLUMNS = {'CIEDE2000 ↓': 'CIEDE2000 ↓', 'AuC ↑': 'AuC ↑', 'colorfulness ratio': 'colorfulness ratio', 'L drift ↓': 'mean \\|ΔL\\|'}


@pytest.mark.parametrize('name', ['Kodak24', 'McMaster18'])
def test_readme_results_are_the_model_cards(name):
    ours, card = _table(README, name), _table(CARD, name)
    assert len(ours) == len(ROWS), f'README {name} table: rows {list(ours)}'
    for row, cells in ours.items():
        key = next(k for k in sorted(ROWS, key=len, reverse=True) if row.startswith(k))
        card_row = next((r for r in card if r.startswith(ROWS[key])), None)
        assert card_row, f'the model card has no {name} row for the README row {row!r}'
        for col, value in cells.items():
            assert value == card[card_row][COLUMNS[col]], f'{name}, {row!r}, {col}: README {value}, model card {card[card_row][COLUMNS[col]]}'


def _minutes(text) -> list:
    return [float(m) for m in re.findall(r'(\d+(?:\.\d+)?) min\b', text)]


def test_readme_training_times_are_the_model_cards():
    "The minutes the README gives for the shipped model's training commands are the model card's, for the same preset."
    readme = section(README, 'The shipped model')
    recipe = section(CARD, 'Recipe')
    for preset in ('pretrained', 'pretrained-gan'):
        said = [t for line in readme.splitlines() if f'--preset {preset} ' in line for t in _minutes(line)]
        card = [t for block in re.split(r'\n(?=- |colorizer )', recipe) if f'--preset {preset} ' in block or
                block.startswith(f'- `{preset}`') for t in _minutes(block)]
        assert said, f'the README gives no time for --preset {preset}'
        assert set(said) <= set(card), f'--preset {preset}: README {said} min, model card {card} min'


FACTS = [r'19 MB', r'9\.6 M parameters', r'EfficientNet-Lite0', r'\b557\b', r'\b168 pixels']


@pytest.mark.parametrize('fact', FACTS)
def test_readme_facts_are_in_the_model_card(fact):
    assert re.search(fact, README) and re.search(fact, CARD), f'{fact!r}: README {bool(re.search(fact, README))}, card {bool(re.search(fact, CARD))}'


def test_readme_hint_gain_is_the_model_cards():
    said = float(re.search(r'10 hints from the truth add (\d+\.\d+) dB', README).group(1))
    card = float(re.search(r'\d+\.\d+ with 10 \(\+(\d+\.\d+) dB\)', CARD).group(1))
    assert said == round(card, 1), (said, card)


def test_model_card_pictures_ship_with_it():
    "Every picture the model card shows is a file beside it that the package's data includes: its links work when installed."
    patterns = [p for p in CFG['package_data'].split() if p.startswith('weights/')]
    pictures = re.findall(r'!\[[^\]]*\]\(([^)\s]+)\)', CARD)
    assert pictures, 'the model card shows no picture'
    for rel in pictures:
        assert not re.match(r'\w+:|/|\.\.', rel), f'the model card links {rel}, which is not beside it in the package'
        assert (CARD_PATH.parent/rel).is_file(), f'the model card links {rel}, which does not exist'
        assert any(fnmatch(f'weights/{rel}', p) for p in patterns), f'{rel} is not in package_data ({patterns})'
    manifest = (ROOT/'MANIFEST.in').read_text()
    assert all(re.search(rf'recursive-include {LIB}/weights [^\n]*\*{re.escape(rel[rel.rfind("."):])}', manifest) for rel in pictures), \
        'MANIFEST.in does not put the model card pictures in the sdist'
