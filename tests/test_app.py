"""The page of nbs/09_app.ipynb (`colorizer app`) in a real browser: headless Chromium, driven by playwright.

`colorizer app` runs as a user starts it, in its own process on a free port, with a temporary folder of its own
(`TMPDIR`). The browser uploads a black-and-white photo (larger than the page's preview, so clicks go through the preview-to-photo scaling), picks a colour, clicks a
point of the photo, and checks: the hint is listed and drawn on the photo where the click was; the colorized result
changes near it; picking another colour recolours it; the full-size download is the photo colorized with that hint
(compared with `colorize` called here); undo gives the automatic result back. Broken uploads (text named .png, an empty file, random bytes, a
decompression bomb, a file over the size limit) get the page's own message naming the problem, as the command line
gives it. Every request the page makes must stay on this computer (the page works offline), and none may fail.
When the page stops (Ctrl-C), nothing of it is left in the temporary folder: no upload, no result.

Which weights, and so what can be asserted about the colour:
- `$COLORIZER_APP_WEIGHTS`, if set, else the shipped weights (`colorizer/weights/colorizer.safetensors`): trained,
  so the test also asserts that the colour near the point moves toward the hint's colour;
- else (a checkout without weights) a tiny generator with random weights, written here: only "the result changes
  near the point" is asserted.

Needs the `app` extra (Gradio) and playwright (both in `.[dev]`), and a Chromium: playwright cannot download its own
here, so the system's is used (conftest's `chromium` fixture; `make test` installs it where it can); without one the
browser test skips, saying so.
Set `COLORIZER_APP_SCREENSHOT=images/app.jpg` to keep the screenshot of the page for the chapter."""
import io, os, re, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, LIB, CHROMIUM_ARGS

pytest.importorskip('gradio', reason='the page needs the `app` extra: pip install -e ".[dev]" (or ".[app]")')
sync_api = pytest.importorskip('playwright.sync_api', reason='the browser test needs playwright: pip install -e ".[dev]"')

LOCAL = {'127.0.0.1', 'localhost'}
HINT, RECOLOUR = '#2050e0', '#e0a020'      # a blue, unlike any cat; then an orange
AT = (0.3, 0.55)                          # where the click goes, as fractions of the photo's width and height (the cat's cheek)


def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    "(weights file, trained): see the module's docstring for which weights and why."
    from colorizer.generator import UNetGenerator
    from colorizer.weights_file import SHIPPED_WEIGHTS, save_generator
    if os.environ.get('COLORIZER_APP_WEIGHTS'): return Path(os.environ['COLORIZER_APP_WEIGHTS']), True
    if SHIPPED_WEIGHTS.is_file(): return SHIPPED_WEIGHTS, True
    import torch
    torch.manual_seed(0)
    return save_generator(UNetGenerator(depth=5, ngf=8).eval(), tmp_path_factory.mktemp('weights') / 'tiny.safetensors'), False


@pytest.fixture(scope='module')
def photo(tmp_path_factory):
    "A black-and-white photo of 1200×798 (more pixels than the page's preview): the package's cat, grayed and enlarged."
    gray = Image.open(ROOT / LIB / 'samples' / 'chelsea.jpg').convert('L').resize((1200, 798), Image.Resampling.LANCZOS)
    path = tmp_path_factory.mktemp('photo') / 'cat.png'
    gray.save(path)
    return path


@pytest.fixture(scope='module')
def temp_folder(tmp_path_factory):
    "The server's temporary folder (its TMPDIR): empty when it starts, and must be empty again when it has stopped."
    return tmp_path_factory.mktemp('server_tmp')


@pytest.fixture(scope='module')
def server(weights, temp_folder):
    "`colorizer app` in its own process on a free port: (process, url)."
    port = free_port()
    cmd = [sys.executable, '-c', 'import sys; from colorizer.cli import main; sys.exit(main())',
           'app', '--port', str(port), '--weights', str(weights[0])]
    env = {k: v for k, v in os.environ.items() if k != 'GRADIO_TEMP_DIR'} | {'TMPDIR': str(temp_folder)}
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = f'http://127.0.0.1:{port}/'
    deadline = time.monotonic() + 300                       # a wait for start-up, not a measurement
    while True:
        if proc.poll() is not None: pytest.fail(f'colorizer app stopped ({proc.returncode}):\n{proc.stdout.read()}\n{proc.stderr.read()}')
        try: urllib.request.urlopen(url, timeout=5); break
        except OSError:
            if time.monotonic() > deadline: proc.kill(); pytest.fail('colorizer app did not answer within 5 minutes')
            time.sleep(0.5)
    yield proc, url
    if proc.poll() is None: proc.kill(); proc.wait()


def fetch(url) -> np.ndarray:
    "An image the page shows, read from this computer's server, as an (H, W, 3) uint8 array."
    assert urlparse(url).hostname in LOCAL, url
    return np.asarray(Image.open(io.BytesIO(urllib.request.urlopen(url, timeout=60).read())).convert('RGB'))


def ab(rgb: np.ndarray) -> np.ndarray:
    "The Lab colour channels a, b of an (H, W, 3) uint8 image, (2, H, W)."
    import torch
    from colorizer.lab import rgb_to_lab
    return rgb_to_lab(torch.from_numpy(np.array(rgb)).permute(2, 0, 1).double() / 255)[1:].numpy()


def hints_listed(page) -> list:
    "The page's list of hints: [(x, y, '#rrggbb')], in pixels of the photo."
    return [(int(x), int(y), c) for x, y, c in re.findall(r'^\d+\s+(\d+)\s+(\d+)\s+(#[0-9a-f]{6})\s*$', page.inner_text('#hints'), re.M)]


def stream_closed(request) -> bool:
    "Gradio's streams of event results and upload progress, which the page itself closes (aborts) when done: no failure."
    path = urlparse(request.url).path
    return path.endswith(('/gradio_api/queue/data', '/gradio_api/upload_progress')) and request.failure == 'net::ERR_ABORTED'


def src(page, elem) -> str: return page.get_attribute(f'#{elem} img', 'src') or ''


def wait_for_new(page, elem, old):
    "Wait until the image `elem` shows something other than `old` (its former src); return the new src."
    page.wait_for_function('([sel, old]) => { const i = document.querySelector(sel); return i && i.src && i.src !== old }',
                           arg=[f'#{elem} img', old], timeout=180_000)
    return src(page, elem)


def pick_colour(page, colour):
    page.click('#colour button.dialog-button')
    box = page.locator('#colour input[type=text]')
    box.fill(colour); box.press('Enter')
    page.keyboard.press('Escape'); page.click('h1')       # close the picker


def open_page(p, chromium, url, requests, problems):
    "Chromium on the page; every request is recorded, and every failure, HTTP error and console error is a problem."
    browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    page.on('request', lambda r: requests.append(r.url))
    page.on('requestfailed', lambda r: stream_closed(r) or problems.append(f'failed: {r.url} ({r.failure})'))
    page.on('response', lambda r: r.status >= 400 and problems.append(f'HTTP {r.status}: {r.url}'))
    page.on('pageerror', lambda e: problems.append(f'page error: {e}'))
    page.on('console', lambda m: m.type == 'error' and problems.append(f'console error: {m.text}'))
    page.goto(url)
    return browser, page


def upload(page, path):
    "Upload the file `path` as a person would: the file box takes one file, so a former one is cleared first."
    clear = page.locator('#upload button[aria-label="Clear"]')
    if clear.count() and clear.first.is_visible(): clear.first.click()
    page.set_input_files('#upload input[type=file]', str(path))


def test_the_page_takes_a_hint(chromium, server, weights, photo, tmp_path):
    proc, url = server
    w, trained = weights
    requests, problems = [], []
    with sync_api.sync_playwright() as p:
        browser, page = open_page(p, chromium, url, requests, problems)

        # upload: the automatic colours, no hint yet
        upload(page, photo)
        auto_src = wait_for_new(page, 'result', '')
        auto = fetch(auto_src)
        assert 'No hints yet' in page.inner_text('#hints')

        # a colour, then a click on the photo: the hint is listed where the click was, drawn there, and used
        pick_colour(page, HINT)
        marked_before = src(page, 'photo')
        box = page.locator('#photo img').first.bounding_box()
        page.mouse.click(box['x'] + AT[0] * box['width'], box['y'] + AT[1] * box['height'])
        hinted = fetch(wait_for_new(page, 'result', auto_src))
        page.wait_for_function("() => document.querySelector('#hints').innerText.includes('#')")
        (x, y, colour), = hints_listed(page)
        W, H = Image.open(photo).size
        assert colour == HINT and abs(x - AT[0] * W) < 0.02 * W and abs(y - AT[1] * H) < 0.02 * H, (x, y, colour)
        marked = fetch(wait_for_new(page, 'photo', marked_before))
        s = marked.shape[1] / W                               # the page shows a preview: its pixels per photo pixel
        mark = np.median(marked[round(y * s) - 2:round(y * s) + 3, round(x * s) - 2:round(x * s) + 3].reshape(-1, 3), 0)   # 5×5 (a JPEG)
        assert s < 1 and np.abs(mark - [0x20, 0x50, 0xe0]).max() <= 8, f'no hint drawn at the click: {mark}'

        # near the point the result changed; with trained weights, toward the hint's colour
        r = max(4, round(0.03 * hinted.shape[1]))
        px, py = round(x * hinted.shape[1] / W), round(y * hinted.shape[0] / H)
        near = (slice(max(0, py - r), py + r + 1), slice(max(0, px - r), px + r + 1))
        assert np.abs(hinted[near].astype(int) - auto[near]).mean() > 1, 'the hint did not change the result near its point'
        if trained:
            target = ab(np.array([[[0x20, 0x50, 0xe0]]], np.uint8))[:, 0, 0]
            before = np.linalg.norm(ab(auto[near]).mean((1, 2)) - target)
            after = np.linalg.norm(ab(hinted[near]).mean((1, 2)) - target)
            assert after < before - 10, f'near the hint the colour moved from {before:.1f} to {after:.1f} (ab units) off the hint'
        shot = tmp_path / 'app.jpg'
        page.screenshot(path=str(shot), type='jpeg', quality=80)
        if os.environ.get('COLORIZER_APP_SCREENSHOT'): shutil.copy(shot, os.environ['COLORIZER_APP_SCREENSHOT'])

        # the full-size download: the whole photo colorized with the hint, as `colorize` does it
        page.click('#full')
        link = page.locator('#download a').first
        link.wait_for(timeout=180_000)
        with page.expect_download() as download: link.click()
        full = np.asarray(Image.open(download.value.path()).convert('RGB'))
        from colorizer.inference import colorize, load_model
        expected = np.asarray(colorize(np.asarray(Image.open(photo)), load_model(w), hints=[(x, y, HINT)]))
        assert full.shape == (H, W, 3) and np.abs(full.astype(int) - expected).max() <= 2

        # another colour recolours the hint; undo brings the automatic colours back
        before = src(page, 'result')
        pick_colour(page, RECOLOUR)
        recoloured = fetch(wait_for_new(page, 'result', before))
        assert hints_listed(page) == [(x, y, RECOLOUR)] and np.abs(recoloured[near].astype(int) - hinted[near]).mean() > 1
        before = src(page, 'result')
        page.click('#undo')
        assert np.array_equal(fetch(wait_for_new(page, 'result', before)), auto) and 'No hints yet' in page.inner_text('#hints')
        browser.close()
    off_host = sorted({u for u in requests if urlparse(u).scheme not in ('data', 'blob') and urlparse(u).hostname not in LOCAL})
    assert not off_host, f'the page reached beyond this computer: {off_host}'
    assert not problems, problems


def png_declaring(w, h) -> bytes:
    "A small PNG whose header declares w×h pixels: a decompression bomb, as far as a reader that trusts it is concerned."
    import zlib
    chunk = lambda kind, body: len(body).to_bytes(4, 'big') + kind + body + zlib.crc32(kind + body).to_bytes(4, 'big')
    head = w.to_bytes(4, 'big') + h.to_bytes(4, 'big') + bytes([8, 0, 0, 0, 0])
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', head) + chunk(b'IDAT', zlib.compress(b'\0' * (w + 1))) + chunk(b'IEND', b'')


BROKEN = {   # file name: (content, what the page must say about it)
    'notes.png': (b'this is text, not a picture', 'not an image'),
    'empty.png': (b'', 'empty file (0 bytes)'),
    'noise.jpg': (np.random.default_rng(0).bytes(300_000), 'not an image'),
    'bomb.png': (png_declaring(12_500, 12_000), '12500×12000 = 150 megapixels, above the limit of 100 megapixels'),
}


def test_broken_uploads_are_named_on_the_page(chromium, server, tmp_path):
    "Each broken upload gets the page's own message, naming the file and the problem (not Gradio's bare 'Error')."
    proc, url = server
    requests, problems = [], []
    with sync_api.sync_playwright() as p:
        browser, page = open_page(p, chromium, url, requests, problems)
        for name, (content, why) in BROKEN.items():
            (tmp_path / name).write_bytes(content)
            upload(page, tmp_path / name)
            page.wait_for_function('([sel, name]) => document.querySelector(sel).innerText.includes(name + ":")',
                                   arg=['#message', name], timeout=60_000)
            message = page.inner_text('#message')
            assert message.startswith(f'Could not do that: {name}: ') and why in message, (name, message)
        # over the size limit: refused before it is sent, the page keeps working
        from colorizer.app import MAX_UPLOAD
        with open(tmp_path / 'huge.jpg', 'wb') as f: f.truncate(MAX_UPLOAD + 1)        # sparse: no disk used
        upload(page, tmp_path / 'huge.jpg')
        page.wait_for_timeout(2000)                                                   # (a refusal has nothing to wait for)
        sent = [u for u in requests if urlparse(u).path.endswith('/upload')]
        said = page.inner_text('body')
        browser.close()
    assert proc.poll() is None, 'the server stopped'
    assert len(sent) == len(BROKEN), f'the file over the limit was sent anyway ({len(sent)} uploads: {sent})'
    assert 'exceed the maximum allowed size of 64.0 Mb: "huge.jpg"' in said, said   # Gradio's words, with the limit and the name
    assert not problems, problems


def test_ctrl_c_stops_the_page(server, temp_folder):
    "Ctrl-C ends `colorizer app` as it ends every command: one line, exit status 130; its temporary files are gone."
    proc, _ = server
    assert any(temp_folder.rglob('*.png')), "the uploads and results were not in the server's temporary folder"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert 'colorizer app: open http://127.0.0.1:' in out
    assert (proc.returncode, err.strip().splitlines()[-1]) == (130, 'colorizer app: interrupted'), err
    left = sorted(str(f.relative_to(temp_folder)) for f in temp_folder.rglob('*') if not f.is_dir())
    assert not left, f'the stopped page left {len(left)} files in its temporary folder: {left[:10]}'   # (empty folders of imports may stay)
