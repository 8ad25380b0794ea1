"""What several test files share: the settings, the package built once per test run, fresh virtual environments
with that package installed as users install it (kept in `.test-venvs/`, gitignored, keyed by what is in them), and
the system's Chromium for the browser tests."""
import hashlib, json, os, re, shlex, shutil, subprocess, sys, zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_cfg = ConfigParser(delimiters=['=']); _cfg.read(ROOT/'settings.ini', encoding='utf-8')
CFG = _cfg['DEFAULT']
LIB = CFG['lib_path']
NBS_DIR = ROOT/CFG['nbs_path']
TORCH = re.search(r'^TORCH\s*:=\s*(.+)$', (ROOT/'Makefile').read_text(), re.M).group(1).split()  # the pins `make install` uses
VENVS = ROOT/'.test-venvs'


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f'{shlex.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r


CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic']   # for `playwright.chromium.launch` (as root, in a VM)


def system_chromium():
    "The system's Chromium: $COLORIZER_CHROMIUM, else `chromium` or `chromium-browser` on the PATH, else /usr/bin/chromium; or None."
    found = (os.environ.get('COLORIZER_CHROMIUM'), shutil.which('chromium'), shutil.which('chromium-browser'), '/usr/bin/chromium')
    return next((p for p in found if p and Path(p).is_file()), None)


@pytest.fixture(scope='session')
def chromium():
    """The path of the system's Chromium, for `playwright.chromium.launch(executable_path=..., args=CHROMIUM_ARGS)`
    (playwright cannot download its own browser here). One policy for every browser test: `make chromium` (part of
    `make test`) installs Debian's where it may, and nothing else installs it; without one, the test skips, saying why."""
    path = system_chromium()
    if path is None:
        pytest.skip("no Chromium for the browser tests (playwright cannot download its own here): `make chromium` installs "
                    "Debian's where it may (as root, or with sudo without a password), or set COLORIZER_CHROMIUM to one")
    return path


@pytest.fixture(scope='session')
def dist(tmp_path_factory):
    "The sdist and the wheel, built from this checkout with `python -m build`, once per test run."
    out = tmp_path_factory.mktemp('dist')
    run([sys.executable, '-m', 'build', '--outdir', str(out), str(ROOT)], cwd=ROOT)
    sdist, = out.glob('*.tar.gz')
    wheel, = out.glob('*.whl')
    return sdist, wheel


def wheel_meta(wheel, name):
    with zipfile.ZipFile(wheel) as z:
        return z.read(next(n for n in z.namelist() if n.endswith(f'.dist-info/{name}'))).decode()


def _torch_closure():
    "The distributions torch and torchvision need, as installed in the running environment (names, lower case)."
    from importlib.metadata import distribution, PackageNotFoundError
    todo, seen = [t.split('==')[0] for t in TORCH], {}
    while todo:
        name = re.split(r'[<>=!~;\[ ]', todo.pop())[0].lower().replace('_', '-')
        if not name or name in seen: continue
        try: d = distribution(name)
        except PackageNotFoundError: continue
        seen[name] = d
        todo += [r for r in (d.requires or []) if 'extra ==' not in r]
    return seen.values()


def _link_torch(env_dir):
    """Hard-link torch, torchvision and what they need from the running environment into `env_dir`: the same files
    pip would unpack (~5.5 GB of CUDA builds), at no cost in disk. Copies where a link is impossible."""
    site = next((env_dir/'lib').glob('python*/site-packages'))
    for d in _torch_closure():
        base = Path(d.locate_file(''))
        for f in d.files or []:
            if f.parts[0] == '..': continue                    # console scripts: their shebang names our python
            src, dst = base/f, site/f
            if not src.is_file() or dst.exists(): continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            try: os.link(src, dst)
            except OSError: shutil.copy2(src, dst)


def make_venv(wheel, extras=None, tools=(), name='wheel'):
    """A venv with torch (this machine's wheels, hard-linked from the running environment when it has them), `wheel`
    (with `extras`) and its requirements, and `tools`; made once per content (older ones of the same `name` removed),
    the wheel reinstalled each run."""
    reqs = sorted(re.findall(r'^Requires-Dist: (.+)$', wheel_meta(wheel, 'METADATA'), re.M))
    key = hashlib.sha256(json.dumps([sys.version, TORCH, reqs, extras, list(tools)]).encode()).hexdigest()[:16]
    env_dir = VENVS/f'{name}-{key}'
    py = env_dir/'bin'/'python'
    pip = [str(py), '-m', 'pip', 'install', '-q', '--disable-pip-version-check']
    target = f'{wheel}[{extras}]' if extras else str(wheel)
    if not (env_dir/'.ready').exists():
        for old in VENVS.glob(f'{name}-*'): shutil.rmtree(old)
        run([sys.executable, '-m', 'venv', '--clear', str(env_dir)])
        _link_torch(env_dir)
        run(pip + TORCH)                                           # checks the pins; installs only what is missing
        run(pip + [target, *tools])
        (env_dir/'.ready').touch()
    run(pip + ['--force-reinstall', '--no-deps', str(wheel)])  # this run's wheel, whatever was there before
    run(pip + [target])                                           # and any requirement it newly asks for
    return env_dir


@pytest.fixture(scope='session')
def colab_venv(dist):
    "The wheel with its `notebooks` and `app` extras and a Jupyter kernel (nbclient, ipykernel): what a Colab runtime has."
    return make_venv(dist[1], extras='notebooks,app', tools=['nbclient', 'nbformat', 'ipykernel'], name='colab')
