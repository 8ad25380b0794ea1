"""README.md from the home page notebook `nbs/index.ipynb`, which is the source (nbdev_readme needs Quarto, not
available here): its markdown cells, with the links made relative to the repository root (chapters in `nbs/`,
pictures in `images/`) and without the home page's own Colab badge.

`python tools/make_readme.py` writes README.md; `--check` only says whether it is in step (tests/test_release.py)."""
import json, re, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_text() -> str:
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8'); cfg = cfg['DEFAULT']
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text(encoding='utf-8'))
    text = '\n\n'.join(''.join(c['source']).strip() for c in nb['cells'] if c['cell_type'] == 'markdown')
    text = re.sub(r'^\[!\[Open In Colab\][^\n]*index\.ipynb\)\n\n', '', text, flags=re.M)   # the home page's badge
    raw = f"https://raw.githubusercontent.com/{cfg['user']}/{cfg['repo']}/{cfg['branch']}/"
    text = text.replace(f']({raw}', '](')                                                   # pictures: repository paths
    text = re.sub(r'\]\((\d\d[a-z]?_\w+\.ipynb)', r'](nbs/\1', text)                      # chapters live in nbs/ (01b_photos too)
    return text + '\n'


if __name__ == '__main__':
    new, path = readme_text(), ROOT/'README.md'
    if '--check' in sys.argv: sys.exit(0 if path.read_text(encoding='utf-8') == new else 'README.md is not in step with nbs/index.ipynb: run python tools/make_readme.py')
    path.write_text(new, encoding='utf-8'); print('wrote README.md')
