"""The docs site in a real browser: `_docs/` (built by `make docs`, rebuilt here when missing or stale) is
served on 127.0.0.1 and every page is opened in headless Chromium (the system's: conftest's `chromium` fixture,
which skips the browser tests, saying why, where there is none) driven by playwright. Any request off this host, failed request, HTTP error, console error or page error fails the
test. Each chapter must show its title, its Colab badge, a rendered figure, highlighted code, typeset math
(when its text has any) and an API entry for each public function or class of its module. On a phone's screen
(390 px) no equation, table, code block or picture may be cut off: what is wider than the column scrolls, and
everything that scrolls sideways has a visible cue, at 1280 px too. Search must answer with the site opened as files
(`_docs/index.html`, no server), on a desktop's screen and a phone's. Screenshots of every page are saved in
`_docs_screenshots/` for a person to look at."""
import functools, http.server, importlib, json, os, re, shutil, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tools'))
import build_docs as docs  # noqa: E402
from conftest import CHROMIUM_ARGS  # noqa: E402
SHOTS = ROOT/'_docs_screenshots'
NBS = docs.notebooks()
PAGES = {nb.stem: ('index' if nb.stem == 'index' else docs.page_name(nb)) for nb in NBS}
EXTRA = ['model_card'] if docs.MODEL_CARD.is_file() else []   # pages from markdown files, after the chapters


def _nb_text(nb, kind='markdown'):
    return '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == kind)


def _public_api(nb):
    "Functions and classes the notebook's module exports: each must have an API entry (show_doc) on its page."
    m = re.search(r'^#\|\s*default_exp\s+(\S+)', _nb_text(nb, 'code'), re.M)
    if not m: return []
    mod = importlib.import_module(f'colorizer.{m.group(1)}')
    return [n for n in getattr(mod, '__all__', []) if callable(getattr(mod, n, None)) and getattr(getattr(mod, n), '__module__', '') == mod.__name__]


@pytest.fixture(scope='module')
def site():
    if docs.is_stale():  # (re)build; the script waits for a build already running, then builds only if still stale
        subprocess.run([sys.executable, str(ROOT/'tools'/'build_docs.py'), '--if-stale'], cwd=ROOT, check=True)
    assert (docs.SITE/'index.html').exists(), 'the docs build wrote no _docs/index.html'
    return docs.SITE


@pytest.fixture(scope='module')
def server(site):
    handler = functools.partial(type('Quiet', (http.server.SimpleHTTPRequestHandler,), {'log_message': lambda *a: None}),
                                directory=str(site))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_port}'
    httpd.shutdown()


@pytest.fixture(scope='module')
def browser(chromium):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


DESKTOP, PHONE = {'width': 1280, 'height': 900}, {'width': 390, 'height': 844}


def open_page(browser, server, name, viewport=DESKTOP):
    """Open one page (`server`: the site's http:// address, or its folder's file:// URL); return (page, problems), where
    problems lists every off-host, failed or erroring thing."""
    host = urlparse(server).netloc
    local = ('data', 'blob', 'about') + (('file',) if server.startswith('file:') else ())
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(300_000)   # a bound on waiting, not a measurement: a busy 2-core machine parses a page for a minute
    problems = []

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in local or (url.scheme.startswith('http') and url.netloc == host): r.continue_()
        else: problems.append(f'off-host request: {r.request.url}'); r.abort()
    page.route('**/*', route)
    page.on('requestfailed', lambda r: problems.append(f'failed request: {r.url} ({r.failure})'))
    page.on('response', lambda r: r.status >= 400 and problems.append(f'HTTP {r.status}: {r.url}'))
    page.on('console', lambda m: m.type == 'error' and problems.append(f'console error: {m.text}'))
    page.on('pageerror', lambda e: problems.append(f'page error: {e}'))
    page.goto(f'{server}/{name}.html', wait_until='load')       # every script run (on a busy machine, long after the network is idle)
    page.evaluate('() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null')  # typesetting done
    page.wait_for_load_state('networkidle')  # MathJax's fonts
    return page, problems


def test_site_built(site):
    "One page per notebook (and the model card), and nothing the site loads comes from another host."
    assert sorted(p.stem for p in site.glob('*.html') if p.stem != '404') == sorted([*PAGES.values(), *EXTRA])
    for html in site.glob('*.html'):
        text = html.read_text(encoding='utf-8')
        remote = re.findall(r'<(?:script|img|link|iframe)[^>]+(?:src|href)="(?:https?:)?//[^"]+"[^>]*>', text)
        remote = [t for t in remote if not re.search(r'rel="(canonical|alternate)"', t)]
        assert not remote, f'{html.name} loads from the web: {remote}'


def test_internal_links(site):
    "Every link within the site (chapter to chapter, API links, pictures) points at a file the site has."
    broken = []
    for html in site.glob('*.html'):
        if html.name == '404.html': continue  # mkdocs writes it with absolute URLs for the deployed site
        for href in re.findall(r'(?:href|src)="([^"]+)"', html.read_text(encoding='utf-8')):
            if re.match(r'(\w+:|#|//)', href): continue
            target = (html.parent/href.split('#')[0].split('?')[0]).resolve()
            if not target.exists(): broken.append(f'{html.name} -> {href}')
    assert not broken, 'broken links:\n' + '\n'.join(sorted(set(broken)))


def test_anchors(site):
    "Every link to a place in a page (`page.html#anchor`, `#anchor`) finds an element with that id there."
    ids = {html.name: set(re.findall(r'\s(?:id|name)="([^"]+)"', html.read_text(encoding='utf-8'))) for html in site.glob('*.html')}
    dead = []
    for html in site.glob('*.html'):
        if html.name == '404.html': continue
        for href in re.findall(r'href="([^"]*#[^"]*)"', html.read_text(encoding='utf-8')):
            if re.match(r'\w+:|//', href): continue                                    # other sites
            page, anchor = href.split('#', 1)
            page = Path(page.split('?')[0]).name or html.name
            if anchor and anchor not in ids.get(page, set()): dead.append(f'{html.name} -> {href}')
    assert not dead, f'{len(dead)} links to places that do not exist:\n' + '\n'.join(sorted(set(dead)))


def test_navigation_order(browser, server):
    "The navigation lists the home page, then every chapter in notebook-number order, then the model card."
    page, problems = open_page(browser, server, 'index')
    hrefs = page.eval_on_selector_all('nav.md-nav--primary > ul > li > a.md-nav__link', 'els => els.map(e => e.getAttribute("href"))')
    page.close()
    assert [Path(h).stem for h in hrefs] == [*PAGES.values(), *EXTRA]
    assert not problems, '\n'.join(problems)


def _has_figure(nb):
    "Whether the committed notebook holds a picture (an image output of a cell the page shows)."
    cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
    return any(k.startswith('image/') for c in cells if c['cell_type'] == 'code' and not ''.join(c['source']).startswith('#| hide')
               for o in c.get('outputs', []) for k in o.get('data', {}))


@pytest.mark.parametrize('nb', NBS, ids=[PAGES[nb.stem] for nb in NBS])  # page names: `-k 05_training` stays quick
def test_page(nb, browser, server):
    name = PAGES[nb.stem]
    page, problems = open_page(browser, server, name)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS/f'{nb.stem}.png'))
    page.screenshot(path=str(SHOTS/f'{nb.stem}-full.png'), full_page=True)
    content = page.locator('article.md-content__inner')
    h1 = content.locator('h1').first.inner_text()
    title = re.search(r'^#\s+(.+)$', _nb_text(nb), re.M).group(1).strip()
    assert title in h1, f'{name}: page heading {h1!r}, expected the notebook title {title!r}'
    if nb.stem != 'index':
        badge = content.locator('a[href*="colab.research.google.com"] img').first
        assert badge.evaluate('i => i.complete && i.naturalWidth > 0'), f'{name}: the Colab badge does not render'
        figures = content.locator('.jp-RenderedImage img').evaluate_all('is => is.filter(i => i.complete && i.naturalWidth > 50).length')
        if _has_figure(nb): assert figures >= 1, f'{name}: no rendered figure'
        highlighted = content.locator('.jp-InputArea .highlight-ipynb span[class]').count()
        assert highlighted > 10, f'{name}: code is not syntax-highlighted ({highlighted} highlighted tokens)'
        cut = content.locator('pre, table').evaluate_all(
            'els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + ": " + e.innerText.slice(0, 60))')
        assert not cut, f'{name}: {len(cut)} code blocks or tables wider than the page at 1280 px: {cut[:5]}'
        clipped, uncued = page.evaluate(CLIPPED), page.evaluate(UNCUED)
        assert not clipped, f'{name} at 1280 px: {len(clipped)} things cut off: {clipped[:5]}'
        assert not uncued, f'{name} at 1280 px: wide tables or equations without a scroll cue: {uncued[:5]}'
        headings = content.locator('h3, h4').all_inner_texts()
        missing = [n for n in _public_api(nb) if not any(re.search(rf'\b{re.escape(n)}\b', h) for h in headings)]
        assert not missing, f'{name}: no API entry for {missing}'
    if re.search(r'\$[^$\n]+\$', _nb_text(nb)):
        assert content.locator('mjx-container').count() > 0, f'{name}: the math is not typeset'
        assert content.locator('mjx-merror').count() == 0, f'{name}: MathJax reports a TeX error'
    page.close()
    assert not problems, f'{name}:\n' + '\n'.join(problems)


@pytest.mark.skipif(not EXTRA, reason='no model card in colorizer/weights/')
def test_model_card(browser, server):
    "The shipped weights' model card is a page: its title, its results tables whole, its picture of failures."
    page, problems = open_page(browser, server, 'model_card')
    content = page.locator('article.md-content__inner')
    assert 'Model card' in content.locator('h1').first.inner_text()
    assert content.locator('table').count() >= 3, 'the model card lost its tables'
    assert content.locator('img').evaluate_all('is => is.filter(i => i.complete && i.naturalWidth > 50).length') >= 1, 'no picture'
    cut = content.locator('pre, table').evaluate_all('els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length')
    assert cut == 0, f'{cut} code blocks or tables wider than the page at 1280 px'
    assert not page.evaluate(CLIPPED) and not page.evaluate(UNCUED), 'something is cut off, or scrolls without a cue'
    page.close()
    assert not problems, '\n'.join(problems)


def test_dark_mode(browser, server):
    "The palette toggle switches the whole page, notebook cells included, to dark and back."
    page, problems = open_page(browser, server, 'generator')
    luminance = lambda sel: page.eval_on_selector(sel, """e => { const m = getComputedStyle(e).backgroundColor.match(/[\\d.]+/g).map(Number);
        return m.length > 3 && m[3] === 0 ? 1 : (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255 }""")
    scheme = lambda: page.eval_on_selector('body', 'b => b.getAttribute("data-md-color-scheme")')
    start = scheme()
    page.locator('form[data-md-component="palette"] label:visible').first.click()
    assert scheme() != start, 'the palette toggle did not change the colour scheme'
    dark = scheme() == 'slate'
    cell = luminance('.jp-InputArea .highlight-ipynb'), luminance('body')
    page.locator('form[data-md-component="palette"] label:visible').first.click()
    back = luminance('.jp-InputArea .highlight-ipynb'), luminance('body')
    page.close()
    (dark_cell, dark_body), (light_cell, light_body) = (cell, back) if dark else (back, cell)
    assert dark_body < 0.3 and dark_cell < 0.3, f'dark mode: page {dark_body:.2f}, code cells {dark_cell:.2f} (luminance)'
    assert light_body > 0.7 and light_cell > 0.7, f'light mode: page {light_body:.2f}, code cells {light_cell:.2f} (luminance)'
    assert not problems, '\n'.join(problems)


# What a reader cannot see: every equation, table, code block and picture of the page whose right edge lies beyond
# the box of an ancestor that hides what overflows (with no scrolling box between them), or beyond the window.
CLIPPED = """() => {
  const out = [], vw = document.documentElement.clientWidth;
  const all = document.querySelectorAll('article.md-content__inner :is(mjx-container[display="true"], table, pre, img, .md-typeset__scrollwrap)');
  for (const e of all) {
    if (e.getClientRects().length === 0) continue;                          // not shown
    const r = e.getBoundingClientRect(), own = getComputedStyle(e).overflowX;
    let right = ['auto', 'scroll'].includes(own) ? r.right : r.left + e.scrollWidth, cut = null;
    for (let a = e.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a).overflowX, box = a.getBoundingClientRect();
      if (['auto', 'scroll'].includes(s)) right = Math.min(right, box.right);   // what is beyond scrolls into view
      else if (['hidden', 'clip'].includes(s) && right > box.right + 1) { cut = a.tagName + '.' + a.className; break; }
    }
    if (!cut && right > vw + 1) cut = 'the window';
    if (cut) out.push(`${e.tagName.toLowerCase()} "${(e.innerText || e.alt || '').trim().slice(0, 50)}" cut by ${cut}`);
  }
  return out;
}"""

# Everything that scrolls sideways (a wide table, a wide equation) and has no visible cue beneath it.
UNCUED = """() => [...document.querySelectorAll('article.md-content__inner :is(table, mjx-container[display="true"])')]
  .map(e => e.closest('.md-typeset__scrollwrap') || e)
  .filter(b => b.getClientRects().length && b.scrollWidth > b.clientWidth + 1 && b.scrollLeft === 0)
  .filter(b => { const c = b.nextElementSibling; return !(c && c.classList.contains('scroll-cue') && c.offsetHeight > 0 && c.innerText.includes('scroll')); })
  .map(b => b.tagName.toLowerCase() + ': ' + b.innerText.trim().slice(0, 60))"""


def _has_display_math(nb):
    return '$$' in _nb_text(nb)


MATH_PAGES = {PAGES[nb.stem] for nb in NBS if _has_display_math(nb)}


@pytest.mark.parametrize('name', [*PAGES.values(), *EXTRA])
def test_phone(name, browser, server):
    """At 390 px nothing is cut off: equations and tables scroll inside the column, each with a visible cue; display
    equations are typeset, each in a box of its own that scrolls (the 1280-px checks are in test_page)."""
    page, problems = open_page(browser, server, name, PHONE)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS/f'{name}-phone.png'), full_page=True)
    clipped, uncued = page.evaluate(CLIPPED), page.evaluate(UNCUED)
    width = page.evaluate('() => document.documentElement.scrollWidth')
    overflow = page.eval_on_selector_all('article.md-content__inner mjx-container[display="true"]', 'es => es.map(e => getComputedStyle(e).overflowX)')
    page.close()
    assert not clipped, f'{name} at 390 px: {len(clipped)} things cut off: {clipped[:5]}'
    assert not uncued, f'{name} at 390 px: {len(uncued)} wide tables or equations without a scroll cue: {uncued[:5]}'
    assert width <= PHONE['width'], f'{name} at 390 px: the page itself is {width} px wide'
    if name in MATH_PAGES: assert overflow and set(overflow) <= {'auto', 'scroll'}, f'{name}: display equations {overflow}'
    assert not problems, f'{name}:\n' + '\n'.join(problems)


@pytest.mark.parametrize('viewport', [DESKTOP, PHONE], ids=['1280px', '390px'])
def test_search_from_files(viewport, browser, site):
    "Opened as a file (`_docs/index.html`, as the README says), the site's search answers, on a desktop and a phone."
    page, problems = open_page(browser, (site/'index.html').resolve().parent.as_uri(), 'index', viewport)
    box = page.locator('input.md-search__input')
    if not box.is_visible(): page.locator('label.md-header__button[for="__search"]').first.click()   # a phone: the button
    box.wait_for(state='visible')
    box.focus()
    page.keyboard.type('colorfulness')
    page.wait_for_selector('.md-search-result__item', timeout=30_000)
    found = page.eval_on_selector_all('.md-search-result__item a', 'as => as.map(a => a.href)')
    meta = page.inner_text('.md-search-result__meta')
    page.close()
    assert found and 'Initializing' not in meta, (meta, found)
    pages = {Path(urlparse(u).path).name for u in found}
    assert pages <= {p.name for p in site.glob('*.html')} and 'metrics.html' in pages, pages
    assert not problems, '\n'.join(problems)
