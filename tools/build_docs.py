"""Build the docs site into `_docs/`, offline: `make docs` (or `.venv/bin/python tools/build_docs.py`).

Steps (every notebook in `nbs/` is picked up as it appears; the navigation follows the notebook numbers):
1. nbdev's own notebook processing (directives, `show_doc` API docs, links) into `_proc/`, called from
   Python; the `nbdev_proc_nbs` command is not used, since without Quarto it tries to install Quarto.
2. A conversion of the Quarto-flavoured `_proc/` notebooks into plain notebooks for mkdocs-jupyter, in
   `_docs_src/`: front matter -> `# title` + summary, `show_doc` cells -> their markdown, `#|` lines dropped,
   links between chapters and to this repo's files made local.
3. Local assets: MathJax 3 from the Python package `django-static-mathjax` (in `.[dev]`; it has no dependencies and
   holds MathJax's browser build; without it, once, from the npm package `mathjax`), a Colab badge drawn here, the
   MathJax config, the CSS, the scroll cue for wide tables and equations, and the Web Worker shim that lets search
   run from files.
4. mkdocs (Material theme, no web fonts) renders `_docs_src/` into `_docs/` from the committed outputs; Material's
   offline plugin inlines the search index, so the site works opened as files (`_docs/index.html`), no server.
Nothing is fetched at view time: every script, style, font and picture is served from `_docs/`.
"""
import json, os, re, shutil, subprocess, sys, warnings
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent
NBS, PROC, SRC, SITE = ROOT/'nbs', ROOT/'_proc', ROOT/'_docs_src', ROOT/'_docs'
CACHE = ROOT/'.docs-cache'
MATHJAX = 'mathjax@3.2.2'
# What the built site depends on: `is_stale()` compares these with the site's build stamp.
INPUTS = ['nbs', 'images', 'colorizer', 'tools', 'mkdocs.yml', 'settings.ini']
STAMP = SITE/'.build-stamp'


def settings():
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']


def notebooks():
    "The docs pages in navigation order: `index.ipynb` first, then the numbered chapters by number."
    nbs = [p for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.'))]
    num = lambda p: (int(m.group(1)), m.group(2)) if (m := re.match(r'(\d+)([a-z]?)_', p.name)) else (-1, '')
    return sorted(nbs, key=lambda p: (p.name != 'index.ipynb', num(p), p.name))


def page_name(nb):
    "nbdev's page name for a notebook: `00_lab.ipynb` -> `lab` (so nbdev's doc links resolve)."
    return re.sub(r'^\d+[a-z]?_', '', Path(nb).stem)


def _mtime(p):
    p = ROOT/p
    if p.is_file(): return p.stat().st_mtime
    return max((f.stat().st_mtime for f in p.rglob('*') if f.is_file() and '__pycache__' not in f.parts), default=0)


def is_stale():
    "True when `_docs/` is missing or older than a notebook, a module, an image or a docs tool."
    return not STAMP.exists() or max(_mtime(p) for p in INPUTS if (ROOT/p).exists()) > STAMP.stat().st_mtime


# ---------------------------------------------------------------------------------------------------
# 1. nbdev processing
def _docs_filter():
    """nbdev's processors, with one change to `exec_show_docs`: nbdev runs every cell that contains an import to
    build the API docs, so a cell that mixes an import with other code (nbdev's FAQ advises against it) is run
    whole, even a slow demonstration (`if smoke: ... train(...)`) or a test that needs cells nbdev skips. Here
    such a cell runs only its top-level imports and keeps its committed outputs. Exported cells, `show_doc`
    cells and import-only cells run as nbdev runs them, and their failure stops the build."""
    import ast
    from nbdev import processors as P

    class exec_show_docs(P.exec_show_docs):
        def __call__(self, cell):
            if not self.nb.has_docs_ or not hasattr(self, 'k'): return
            with warnings.catch_warnings():
                warnings.filterwarnings('ignore', 'Found cells containing imports')
                if not P._do_eval(cell): return
            stmts = cell.parsed_()  # the cell's top-level statements
            imports = [n for n in stmts if isinstance(n, (ast.Import, ast.ImportFrom))]
            whole = bool(cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}) or P._show_docs(stmts) \
                or len(imports) == len(stmts)
            if whole: self.k.cell(cell)
            elif imports: self.k.run('\n'.join(ast.unparse(n) for n in imports))
            if self.k.exc:
                raise Exception(f'{Path(self.nb.path_).name}: cell {cell.idx_} failed during API-doc processing:\n{cell.source}') from self.k.exc

    class Filter(P.FilterDefaults):
        def base_procs(self): return [exec_show_docs if p is P.exec_show_docs else p for p in super().base_procs()]
    return Filter


def _proc_one(src):
    "Process one notebook (in a fresh process, as nbdev does) into `_proc/`."
    from execnb.nbio import read_nb, write_nb
    os.environ['IN_TEST'] = '1'
    nb = read_nb(src)
    _docs_filter()()(nb)
    write_nb(nb, PROC/src.name)


def proc_nbs():
    "Process every notebook, each in its own Python (as nbdev does), two at a time."
    from concurrent.futures import ThreadPoolExecutor
    if PROC.exists(): shutil.rmtree(PROC)
    PROC.mkdir()
    for f in NBS.iterdir():  # pictures or data a notebook links to
        if f.is_file() and f.suffix != '.ipynb' and not f.name.startswith(('.', '_')): shutil.copy2(f, PROC/f.name)
    import time
    def run(nb):
        t = time.time()
        r = subprocess.run([sys.executable, __file__, '--proc', str(nb)], cwd=ROOT)
        print(f'  {nb.name}: {time.time() - t:.0f} s', flush=True)
        return r
    nbs = notebooks()
    with ThreadPoolExecutor(min(2, os.cpu_count() or 1)) as ex: results = list(ex.map(run, nbs))
    failed = [nb.name for nb, r in zip(nbs, results) if r.returncode]
    if failed: sys.exit(f'make docs: nbdev could not process {", ".join(failed)} (the error is printed above)')


# ---------------------------------------------------------------------------------------------------
# 2. Quarto-flavoured notebook -> plain notebook
_re_attrs = re.compile(r'\{(?:target|style|\.)[^}\n]*\}')          # {target="_blank" style="..."} after links
_re_directive = re.compile(r'^\s*#\s*\|.*\n?', re.M)


def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def _directives(src):
    d = {}
    for line in src.splitlines():
        if not (m := re.match(r'\s*#\s*\|\s*([\w-]+):?\s*(.*)', line)): break
        d[m.group(1)] = m.group(2).strip()
    return d


def _front_matter(src):
    m = re.match(r'\s*---\n(.*?)\n---', src, re.S)
    if not m: return None
    import yaml
    return yaml.safe_load(m.group(1)) or {}


def _md_text(cell):
    "The markdown of a show_doc output cell."
    for o in cell.get('outputs', []):
        md = o.get('data', {}).get('text/markdown')
        if md is not None: return ''.join(md) if isinstance(md, list) else md
    return None


def make_link_fixer(cfg, chapters):
    "Make links local: chapter notebooks -> their pages, this repo's raw files -> copies in the site."
    user, repo, branch = cfg['user'], cfg['repo'], cfg['branch']
    doc_url = (cfg['doc_host'] + cfg['doc_baseurl']).rstrip('/') + '/'
    raw = re.compile(rf'https://raw\.githubusercontent\.com/{user}/{repo}/{branch}/([^)\s"\'>]+)')
    blob_raw = re.compile(rf'https://github\.com/{user}/{repo}/(?:blob|raw)/{branch}/([^)\s"\'>?]+)\?raw=true')
    nb_link = re.compile(r'(\]\(|href=")(?:\./)?(?:nbs/)?([\w-]+)\.ipynb(#[^)"\s]*)?(?=[)"])')
    private_link = re.compile(r'\[(`_\w+`)\]\([\w.-]*\.html#_\w*\)')
    copies = set()

    def local_file(m):
        path = m.group(1)
        if not (ROOT/path).is_file(): return m.group(0)  # not in this checkout: leave it (the browser test will say)
        copies.add(path)
        return path

    def fix(text):
        text = raw.sub(local_file, text)
        text = blob_raw.sub(local_file, text)
        text = text.replace('https://colab.research.google.com/assets/colab-badge.svg', 'assets/colab-badge.svg')
        text = nb_link.sub(lambda m: f'{m.group(1)}{chapters.get(m.group(2), m.group(2))}.html{m.group(3) or ""}'
                           if m.group(2) in chapters else m.group(0), text)
        text = text.replace(doc_url, '')  # nbdev's links to API docs: same site, same page names
        return private_link.sub(r'\1', text)   # private names have no API entry: their backticks stay, the link goes
    return fix, copies


def _title_rest(orig):
    "What the original title cell holds besides `# title` and `> summary` (badge, intro): nbdev drops it, we keep it."
    nb = json.loads(orig.read_text(encoding='utf-8'))
    first = next((c for c in nb['cells'] if c['cell_type'] == 'markdown'), None)
    if first is None or not re.match(r'\s*#\s', _src(first)): return ''
    lines = _src(first).splitlines()
    i = next(i for i, l in enumerate(lines) if re.match(r'\s*#\s', l)) + 1
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith('>')): i += 1
    return '\n'.join(lines[i:]).strip()


def convert(src, dst, fix, orig=None):
    "Turn one `_proc/` notebook into a plain notebook that mkdocs-jupyter renders as nbdev would."
    nb = json.loads(src.read_text(encoding='utf-8'))
    rest = _title_rest(orig) if orig else ''
    cells = []
    for cell in nb['cells']:
        text = _src(cell)
        if cell['cell_type'] == 'raw':
            fm = _front_matter(text)
            if fm is None: continue
            head = f"# {fm['title']}" if fm.get('title') else ''
            if fm.get('description'): head += f"\n\n> {fm['description']}"
            if rest: head += '\n\n' + fix(rest)
            if head: cells.append({'cell_type': 'markdown', 'metadata': {}, 'source': head.strip()})
            rest = ''
            continue
        if cell['cell_type'] == 'markdown':
            if text.strip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
            cell['source'] = fix(_re_attrs.sub('', text))
            cell.pop('attachments', None) if not cell.get('attachments') else None
            cells.append(cell); continue
        d = _directives(text)
        code = _re_directive.sub('', text) if d else text
        md = _md_text(cell)
        if md is not None and (d.get('output') == 'asis' or re.match(r'\s*show_doc', code)):
            # show_doc: its markdown output becomes a markdown cell (the API reference entry)
            cells.append({'cell_type': 'markdown', 'metadata': {}, 'source': fix(_re_attrs.sub('', md))})
            continue
        if d.get('include') == 'false': continue
        tags = []
        if d.get('echo') == 'false': tags.append('hide-input')
        if d.get('output') == 'false': tags.append('hide-output')
        if not code.strip() and not cell.get('outputs'): continue
        cell['source'] = code.rstrip('\n')
        cell['metadata'] = {'tags': tags} if tags else {}
        for o in cell.get('outputs', []):  # markdown / html outputs may link too
            for k in ('text/markdown', 'text/html'):
                v = o.get('data', {}).get(k)
                if v is not None: o['data'][k] = fix(''.join(v) if isinstance(v, list) else v)
        cells.append(cell)
    for i, c in enumerate(cells): c['id'] = f'cell-{i}'
    nb['cells'], nb['nbformat'], nb['nbformat_minor'] = cells, 4, 5
    nb['metadata'] = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                      'language_info': {'name': 'python'}}
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding='utf-8')
    return nb


def convert_all():
    cfg = settings()
    nbs = notebooks()
    chapters = {nb.stem: ('index' if nb.stem == 'index' else page_name(nb)) for nb in nbs}
    fix, copies = make_link_fixer(cfg, chapters)
    if SRC.exists(): shutil.rmtree(SRC)
    SRC.mkdir()
    nav = []
    for nb in nbs:
        out = convert(PROC/nb.name, SRC/f'{chapters[nb.stem]}.ipynb', fix, orig=nb)
        first = next((_src(c) for c in out['cells'] if c['cell_type'] == 'markdown'), '')
        title = m.group(1).strip() if (m := re.match(r'\s*#\s+(.+)', first)) else nb.stem
        nav.append({('Home' if nb.stem == 'index' else title): f'{chapters[nb.stem]}.ipynb'})
    for f in PROC.iterdir():
        if f.suffix != '.ipynb': shutil.copy2(f, SRC/f.name)
    for path in copies:
        (SRC/path).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(ROOT/path, SRC/path)
    if MODEL_CARD.is_file(): nav.append({'Model card': model_card_page()})
    return nav


MODEL_CARD = ROOT/'colorizer'/'weights'/'MODEL_CARD.md'

def model_card_page():
    """The shipped weights' model card as a page. Its pictures lie beside it in the package (so its links work in an
    installed package too); they are copied into the site under `model_card/`."""
    text = MODEL_CARD.read_text(encoding='utf-8')
    def picture(m):
        rel = m.group(2)
        if re.match(r'\w+:|/|#', rel): return m.group(0)
        src = (MODEL_CARD.parent/rel).resolve()
        if not src.is_file(): return m.group(0)     # left for the link test to report
        dest = SRC/'model_card'/src.name
        dest.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src, dest)
        return f'{m.group(1)}(model_card/{src.name})'
    (SRC/'model_card.md').write_text(re.sub(r'(!\[[^\]]*\])\(([^)\s]+)\)', picture, text), encoding='utf-8')
    return 'model_card.md'


# ---------------------------------------------------------------------------------------------------
# 3. Assets served from the site itself
def mathjax_dir():
    """MathJax 3's browser build: from the Python package `django-static-mathjax` (import name `mathjax`, installed by
    `.[dev]`), else from the npm package `mathjax`, installed once into `.docs-cache/`."""
    import importlib.util
    spec = importlib.util.find_spec('mathjax')
    for folder in (spec.submodule_search_locations or []) if spec else []:
        es5 = Path(folder)/'static'/'mathjax'/'es5'
        if (es5/'tex-mml-chtml.js').is_file(): return es5
    es5 = CACHE/'node_modules'/'mathjax'/'es5'
    if not (es5/'tex-mml-chtml.js').exists():
        npm = shutil.which('npm')
        if not npm: sys.exit('make docs: MathJax is missing: pip install django-static-mathjax (it is in the `dev` extra), '
                             'or install npm (apt-get install -y npm) to fetch the npm package once')
        CACHE.mkdir(exist_ok=True)
        subprocess.run([npm, 'install', '--no-audit', '--no-fund', '--silent', '--prefix', str(CACHE), MATHJAX], check=True)
    return es5


def copy_assets():
    assets = SRC/'assets'
    shutil.copytree(TOOLS/'docs_assets', assets)
    keep = lambda d, names: [n for n in names if d.endswith('es5') and n.endswith('.js') and n != 'tex-mml-chtml.js']
    shutil.copytree(mathjax_dir(), assets/'mathjax', ignore=keep)


# ---------------------------------------------------------------------------------------------------
# 4. After mkdocs: anchors that hold
_re_heading = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="anchor-link" href="#([^"]+)">', re.S)
_re_toc_link = re.compile(r'<a href="#([^"]+)" class="md-nav__link">\s*<span class="md-ellipsis">(.*?)</span>', re.S)
_text = lambda html: ' '.join(re.sub(r'<[^>]+>', ' ', html).split())


def fix_anchors(html: str) -> str:
    """Make a page's in-page links hold. nbconvert gives two headings with the same text the same id (a section
    "Colorfulness" and the API entry `colorfulness`), and mkdocs-jupyter's contents drop the code from a heading
    (`The <code>colorizer evaluate</code> command` becomes "The command", #the-command, which no heading has).
    Here every heading gets a unique id, and every contents entry points at its heading, with its whole text."""
    seen, headings = {}, []                           # headings: (id, text, text without its code spans)
    def unique(m):
        level, hid, inner, _ = m.groups()
        n = seen.get(hid, 0); seen[hid] = n + 1
        new = hid if n == 0 else f'{hid}_{n}'
        headings.append((new, _text(inner), _text(re.sub(r'<code>.*?</code>', ' ', inner))))
        return f'<h{level} id="{new}">{inner}<a class="anchor-link" href="#{new}">'
    html = _re_heading.sub(unique, html)
    ids = {h for h, *_ in headings}
    def entry(m):
        href, label = m.groups()
        if href in ids: return m.group(0)
        match = next(((h, text) for h, text, bare in headings if bare == _text(label)), None)
        if match is None: return m.group(0)           # left for the anchor test to report
        return m.group(0).replace(f'href="#{href}"', f'href="#{match[0]}"').replace(label, f' {match[1]} ')
    return _re_toc_link.sub(entry, html)


# ---------------------------------------------------------------------------------------------------
def build(if_stale=False):
    "Build the site; with `if_stale`, only when `is_stale()`. One build at a time (a lock in `.docs-cache/`)."
    import fcntl, time
    from mkdocs.commands.build import build as mk_build
    from mkdocs.config import load_config
    CACHE.mkdir(exist_ok=True)
    with open(CACHE/'build.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if if_stale and not is_stale(): return print('docs: _docs/ is up to date')
        t0 = time.time()
        print('docs: processing notebooks with nbdev ...', flush=True)
        proc_nbs()
        print(f'docs: converting for mkdocs-jupyter ({time.time() - t0:.0f} s so far) ...', flush=True)
        nav = convert_all()
        copy_assets()
        new = CACHE/'site-new'
        if new.exists(): shutil.rmtree(new)
        config = load_config(str(ROOT/'mkdocs.yml'), nav=nav, site_dir=str(new), site_description=settings()['description'])
        print(f'docs: rendering with mkdocs ({time.time() - t0:.0f} s so far) ...', flush=True)
        mk_build(config)
        for page in new.glob('*.html'): page.write_text(fix_anchors(page.read_text(encoding='utf-8')), encoding='utf-8')
        (new/STAMP.name).touch(); os.utime(new/STAMP.name, (t0, t0))  # inputs changed during the build stay newer
        if SITE.exists(): shutil.rmtree(SITE)
        new.rename(SITE)  # the old site stays whole until the new one is complete
    print(f'docs: {len(nav)} pages in {SITE.relative_to(ROOT)}/ in {time.time() - t0:.0f} s '
          f'(open {SITE.relative_to(ROOT)}/index.html in a browser; search works from the files too)')


if __name__ == '__main__':
    os.chdir(ROOT)
    if sys.argv[1:2] == ['--proc']: _proc_one(Path(sys.argv[2]))
    else: build(if_stale='--if-stale' in sys.argv)
