"""Chapter order = import order: every module of the library imports only modules exported by earlier chapters,
anywhere in its code (module level or inside functions), and never a private name of another module. So the book
reads front to back and the modules form no cycle."""
import ast, json, re
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_cfg = ConfigParser(delimiters=['=']); _cfg.read(ROOT/'settings.ini', encoding='utf-8')
LIB = _cfg['DEFAULT']['lib_path']
CHAPTERS = sorted((ROOT/_cfg['DEFAULT']['nbs_path']).glob('[0-9][0-9]*_*.ipynb'))   # 01_data, 01b_photos, 02_generator, ...


def default_exp(nb):
    for cell in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        m = re.match(r'\s*#\s*\|\s*default_exp\s+(\S+)', ''.join(cell['source']))
        if cell['cell_type'] == 'code' and m: return m.group(1)


ORDER = [default_exp(nb) for nb in CHAPTERS]          # module names in chapter order


def imports(module):
    "(imported module, imported names, line) for every import of a library module in `module`'s source."
    tree = ast.parse((ROOT/LIB/f'{module}.py').read_text(encoding='utf-8'))
    for node in ast.walk(tree):                      # every node: function-level imports included
        if isinstance(node, ast.ImportFrom):
            target = node.module or ''
            if node.level == 1: target = f'{LIB}.{target}' if target else LIB
            if target == LIB:                         # `from colorizer import x`: x is a module or a package attribute
                for a in node.names: yield (f'{LIB}.{a.name}' if (ROOT/LIB/f'{a.name}.py').exists() else LIB), [], node.lineno
            elif target.startswith(LIB + '.'): yield target, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == LIB or a.name.startswith(LIB + '.'): yield a.name, [], node.lineno
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', '')) == 'import_module':
            if node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith(LIB + '.'):
                yield node.args[0].value, [], node.lineno


def test_every_module_has_a_chapter():
    modules = sorted(p.stem for p in (ROOT/LIB).glob('*.py') if not p.stem.startswith('_'))
    assert sorted(ORDER) == modules, f'chapters export {sorted(ORDER)}, the library has {modules}'


@pytest.mark.parametrize('module', ORDER)
def test_imports_only_earlier_chapters(module):
    earlier = set(ORDER[:ORDER.index(module)])
    for target, names, line in imports(module):
        if target == LIB: continue                    # the package itself (its version, its folder)
        name = target.split('.', 1)[1]
        assert name in earlier, (f'{LIB}/{module}.py:{line} imports {target}, which is not an earlier chapter '
                                 f'(chapter order: {", ".join(ORDER)})')
        private = [n for n in names if n.startswith('_')]
        assert not private, f'{LIB}/{module}.py:{line} imports private names {private} from {target}'


def test_the_walk_sees_function_level_imports(tmp_path, monkeypatch):
    "The checker itself: an import hidden inside a function is found."
    monkeypatch.setattr(__import__(__name__), 'ROOT', tmp_path)
    (tmp_path/LIB).mkdir(); (tmp_path/LIB/'early.py').write_text('def f():\n    from colorizer.late import _x\n')
    assert list(imports('early')) == [('colorizer.late', ['_x'], 2)]
