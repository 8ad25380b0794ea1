"""Committed outputs come from the current code.

A notebook cell whose source has the line `# output: checked` promises that its text outputs are what the current
code produces: what it prints, and the markdown (else the plain text) of each value it shows, such as a module's
repr, a table of shapes, parameters and FLOPs, or a receptive field. Pictures are not compared. This test compares
the outputs of tests/test_notebooks.py's run of the notebook (outside the repository, slow cells skipped) with the
committed ones; in the same pytest session (as in `make test`, where it comes first) that run is reused, so no
notebook runs twice.

Mark only cells whose text is the same on every run and every machine: no timings, no temporary paths, no random
numbers without a seed, nothing read from data that a clone may not have, and no cell that the test run skips. When
this test fails, the code changed what a chapter shows: execute the notebook to refresh its outputs (CONTRIBUTING.md),
and read the new text before committing it.
"""
import difflib, json, re, tempfile
from pathlib import Path

import pytest
from test_notebooks import NBS, run_notebook

MARKER = re.compile(r'^\s*#\s*output:\s*checked\s*$', re.M)


def source(cell) -> str: return cell['source'] if isinstance(cell['source'], str) else ''.join(cell['source'])


def text(outputs) -> str:
    "The comparable text of a cell's outputs: stdout (however it was split into streams), then each shown value's markdown, else its plain text."
    def join(t): return t if isinstance(t, str) else ''.join(t)
    stdout = ''.join(join(o['text']) for o in outputs if o['output_type'] == 'stream' and o['name'] == 'stdout')
    shown = []
    for o in outputs:
        if o['output_type'] not in ('display_data', 'execute_result'): continue
        data = o['data']
        if 'text/markdown' in data: shown.append(join(data['text/markdown']))
        elif 'text/plain' in data and not any(k.startswith('image/') for k in data): shown.append(join(data['text/plain']))
    parts = ([stdout] if stdout else []) + shown
    return '\n'.join('\n'.join(line.rstrip() for line in p.strip('\n').splitlines()) for p in parts)


def marked(cells) -> list:
    "Indices of the code cells that carry the `# output: checked` marker."
    return [i for i, c in enumerate(cells) if c['cell_type'] == 'code' and MARKER.search(source(c))]


def differences(cells, fresh: dict, name='notebook') -> list:
    "A message for every marked cell of `cells` (committed) whose text differs from `fresh` ({index: outputs}), or did not run."
    problems = []
    for i in marked(cells):
        if i not in fresh:
            problems.append(f'{name} cell {i} is marked `# output: checked` but the test run skipped it'); continue
        old, new = text(cells[i].get('outputs', [])), text(fresh[i])
        if old != new:
            diff = '\n'.join(difflib.unified_diff(old.splitlines(), new.splitlines(), 'committed', 'current code', lineterm='', n=1))
            first = next((l for l in source(cells[i]).splitlines() if l.strip() and not l.lstrip().startswith('#')), '')
            problems.append(f'{name} cell {i} ({first[:60]!r}):\n{diff}')
    return problems


CHECKED = [nb for nb in NBS if marked(json.loads(nb.read_text(encoding='utf-8'))['cells'])]


@pytest.mark.parametrize('nb', CHECKED, ids=[p.stem for p in CHECKED])
def test_committed_outputs(nb, colab_venv):
    ok, error, fresh = run_notebook(nb, colab_venv)
    if not ok: pytest.skip(f'{nb.name} itself fails (see test_notebook); its outputs cannot be compared')
    problems = differences(json.loads(nb.read_text(encoding='utf-8'))['cells'], fresh, nb.name)
    assert not problems, f'{len(problems)} committed output(s) of {nb.name} differ from what the code now shows ' \
                         f'(execute the notebook to refresh them):\n\n' + '\n\n'.join(problems)


# The check itself, on small notebooks written here.
def _cell(src, outputs=()): return {'cell_type': 'code', 'metadata': {}, 'source': src, 'outputs': list(outputs), 'execution_count': None}
def _stream(t): return {'output_type': 'stream', 'name': 'stdout', 'text': t}
def _shown(kind='execute_result', **data): return {'output_type': kind, 'data': data, 'metadata': {}}


def test_text_is_robust_to_how_outputs_are_split_and_ordered():
    one = text([_stream('a\nb  \n'), _shown(**{'text/plain': 'x'})])
    assert one == 'a\nb\nx', one
    split = text([_shown(**{'text/plain': ['x']}), _stream(['a\n']), _stream('b\n')])    # streams split, other order
    assert split == one, split
    table = text([_shown('display_data', **{'text/markdown': '| t |', 'text/plain': '<Markdown object>'})])
    assert table == '| t |', table
    figure = text([_shown('display_data', **{'image/png': 'AAA', 'text/plain': '<Figure size 10x10 with 1 Axes>'})])
    assert figure == '', figure
    warning = text([{'output_type': 'stream', 'name': 'stderr', 'text': 'a warning'}])
    assert warning == '', warning


def test_differences_names_the_changed_cell():
    cells = [_cell('# output: checked\nprint(1)', [_stream('1\n')]), _cell('# output: checked\nx', [_shown(**{'text/plain': 'old'})]),
             _cell('print("free")', [_stream('free\n')]), _cell('#| slow\n# output: checked\ny', [_shown(**{'text/plain': 'y'})])]
    assert marked(cells) == [0, 1, 3]
    problems = differences(cells, {0: [_stream('1\n')], 1: [_shown(**{'text/plain': 'new'})], 2: [_stream('other\n')]})
    assert len(problems) == 2, problems
    assert problems[0].startswith('notebook cell 1') and '-old' in problems[0] and '+new' in problems[0], problems[0]
    assert 'cell 3 is marked `# output: checked` but the test run skipped it' in problems[1], problems[1]


def test_a_stale_output_is_found_by_running_the_notebook(colab_venv):
    "End to end: a notebook whose committed output no longer matches its code fails the check; a refreshed one passes."
    cells = [_cell('# output: checked\nimport os\nprint(2 + 2, os.path.exists("settings.ini"))', [_stream('5 False\n')]),
             _cell('# output: checked\n{"a": 1}', [_shown(**{'text/plain': "{'a': 1}"})])]
    book = {'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    with tempfile.TemporaryDirectory() as d:
        nb = Path(d) / 'stale.ipynb'
        nb.write_text(json.dumps(book), encoding='utf-8')
        ok, error, fresh = run_notebook(nb, colab_venv)
        assert ok, error
        problems = differences(cells, fresh)
        assert len(problems) == 1 and '-5 False' in problems[0] and '+4 False' in problems[0], problems
        cells[0]['outputs'] = fresh[0]
        assert differences(cells, fresh) == []
