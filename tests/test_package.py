"""The package as users get it: `python -m build` makes an sdist and a wheel; the wheel holds every module,
the shipped weights and the console script; installed into a fresh venv (torch from this machine's
wheels), it imports, converts an image, and colorizes a photo with `colorizer colorize`.

Slow (a venv with torch takes ~2 minutes the first time), so the build and the install happen once per
run (module-scoped fixtures), and the venv is kept in `.test-venvs/` (gitignored), keyed by the Python
version, the torch pins and the wheel's requirements. The wheel itself is reinstalled into it on every
run, so what is tested is always the wheel just built."""
import os, re, subprocess, tarfile, zipfile
from pathlib import Path

import pytest

from conftest import CFG, LIB, ROOT, dist, make_venv, run, wheel_meta as _wheel_meta   # noqa: F401 (dist is a fixture)

SCRIPTS = dict(s.split('=', 1) for s in CFG.get('console_scripts', '').split())


def test_settings_complete():
    for key in 'lib_name version license description keywords author author_email git_url doc_host doc_baseurl user repo branch min_python'.split():
        assert CFG.get(key, '').strip(), f'settings.ini: {key} is empty'
    assert re.fullmatch(r'\d+\.\d+\.\d+(\S*)', CFG['version'])
    assert len(CFG['keywords'].split()) >= 3
    assert CFG['git_url'] == f"https://github.com/{CFG['user']}/{CFG['repo']}"
    assert (ROOT/'LICENSE').exists() and 'Apache License' in (ROOT/'LICENSE').read_text()[:200] if CFG['license'] == 'apache2' else True


def test_wheel_contents(dist):
    _, wheel = dist
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT/LIB).glob('*.py')}
    assert modules <= names, f'the wheel lacks {sorted(modules - names)}'
    weights = {p.relative_to(ROOT).as_posix() for p in (ROOT/LIB).glob('weights/*.safetensors')}
    assert weights <= names, f'the wheel lacks the shipped weights {sorted(weights - names)}'
    assert f'{LIB}/weights/MODEL_CARD.md' in names, "the wheel lacks the shipped weights' model card"
    eps = _wheel_meta(wheel, 'entry_points.txt')
    for script, target in SCRIPTS.items():
        assert re.search(rf'^{re.escape(script)}\s*=\s*{re.escape(target)}$', eps, re.M), f'no console script {script} in the wheel'
    assert re.search(rf'^{LIB}\s*=\s*{LIB}\._modidx:d$', eps, re.M), "nbdev's doc-link entry point is missing"


def test_wheel_metadata(dist):
    _, wheel = dist
    meta = _wheel_meta(wheel, 'METADATA')
    field = lambda k: re.findall(rf'^{k}: (.+)$', meta, re.M)
    assert field('Name') == [CFG['lib_name']] and field('Version') == [CFG['version']]
    assert field('Summary') == [CFG['description']] and field('Keywords') == [CFG['keywords']]
    assert 'Apache' in ' '.join(field('License') + field('License-Expression') + field('Classifier'))
    urls = ' '.join(field('Project-URL') + field('Home-page'))
    assert CFG['git_url'] in urls and CFG['doc_host'] in urls
    assert any(c.startswith('Development Status :: ') for c in field('Classifier'))
    from packaging.requirements import Requirement
    norm = lambda r: (Requirement(r).name.lower(), Requirement(r).specifier)
    reqs = {norm(r) for r in field('Requires-Dist') if 'extra ==' not in r}
    assert reqs == {norm(r) for r in CFG['requirements'].split()}
    assert '# Colorizer' in meta, 'the README is not the long description'


def test_sdist_contents(dist):
    sdist, _ = dist
    names = {n.split('/', 1)[1] for n in tarfile.open(sdist).getnames() if '/' in n}
    need = {'setup.py', 'settings.ini', 'README.md', 'LICENSE'} | {p.relative_to(ROOT).as_posix() for p in (ROOT/LIB).glob('*.py')} \
        | {p.relative_to(ROOT).as_posix() for p in (ROOT/LIB).glob('weights/*')}
    assert need <= names, f'the sdist lacks {sorted(need - names)}'


@pytest.fixture(scope='module')
def venv(dist):
    "A venv that has torch (from local wheels) and the just-built wheel with its dependencies, nothing else."
    return make_venv(dist[1])


def test_imports_from_the_wheel(venv, tmp_path):
    "Outside the checkout, `colorizer` is the installed one, and its Lab conversion agrees with scikit-image."
    import numpy as np
    from skimage import color, data
    img = data.astronaut()[::4, ::4]
    np.save(tmp_path/'img.npy', img)
    code = f'''
import colorizer, colorizer.lab as lab, torch, numpy as np
assert colorizer.__file__.startswith({str(venv)!r}), colorizer.__file__
assert colorizer.__version__ == {CFG['version']!r}
rgb = torch.from_numpy(np.load('img.npy')).permute(2, 0, 1).double() / 255
np.save('lab.npy', lab.rgb_to_lab(rgb).permute(1, 2, 0).numpy())
assert torch.allclose(lab.lab_to_rgb(lab.rgb_to_lab(rgb)), rgb, atol=1 / 255)
print('ok', colorizer.__file__)
'''
    r = run([str(venv/'bin'/'python'), '-c', code], cwd=tmp_path)
    assert r.stdout.startswith('ok')
    assert np.abs(np.load(tmp_path/'lab.npy') - color.rgb2lab(img)).max() < 1e-4   # scikit-image: not in the bare install


def test_bare_install_is_light(venv):
    "`colorize` needs neither matplotlib nor scikit-image (they come with the `notebooks` extra), nor a web framework."
    r = run([str(venv/'bin'/'python'), '-m', 'pip', 'list', '--format=freeze'])
    installed = {l.split('==')[0].lower() for l in r.stdout.split()}
    heavy = installed & {'matplotlib', 'scikit-image', 'python-fasthtml', 'uvicorn', 'starlette'}
    assert not heavy, f'the bare install pulls in {sorted(heavy)}'


def _cli_args(help_text, src, out_dir):
    """Arguments for `colorizer colorize` read from its --help: the photo first, then the output as a second
    positional or as an option (--out/--output/--dst...); a folder if the help calls it one, else a .png file."""
    usage = ' '.join(re.split(r'\n\s*\n', help_text)[0].split())
    usage = re.sub(r'^usage:\s*\S+(\s+colorize)?', '', usage)
    usage = re.sub(r'\[[^\[\]]*\]', '', re.sub(r'\[[^\[\]]*\]', '', usage))  # optional parts (nested once)
    usage = re.sub(r'-[-\w]+(\s+[A-Z][A-Z_0-9]*)?', '', usage)               # required options and their values
    positionals = usage.split()
    opt = re.search(r'^\s*(?:-\w,\s*)?--(out|output|out_path|output_path|out_dir|output_dir|dst|dest|save|to)\b[^\n]*(\n\s{8,}[^\n]*)*',
                    help_text, re.M)
    is_dir = bool(opt and re.search(r'folder|directory|dir\b', opt.group(0), re.I))
    dst = out_dir if is_dir else out_dir/'colorized.png'
    if len(positionals) >= 2: return [str(src), str(dst)]
    return [str(src)] + ([f'--{opt.group(1)}', str(dst)] if opt else [])


NO_SCRIPT = pytest.mark.skipif('colorizer' not in SCRIPTS, reason='settings.ini declares no `colorizer` console script yet '
                               '(it comes with the command-line chapter, nbs/08_cli.ipynb)')
WEIGHTS = sorted((ROOT/LIB).glob('weights/*.safetensors'))


@NO_SCRIPT
def test_console_script(venv, tmp_path):
    "The wheel installs a `colorizer` command whose `colorize` subcommand answers --help."
    exe = venv/'bin'/'colorizer'
    assert exe.exists(), 'the wheel installed no `colorizer` command'
    assert 'usage' in run([str(exe), 'colorize', '--help'], cwd=tmp_path).stdout.lower()


@NO_SCRIPT
@pytest.mark.skipif(not WEIGHTS, reason=f'the repository ships no trained weights yet ({LIB}/weights/*.safetensors), '
                    'so the installed command has nothing to colorize with')
def test_colorize_cli(venv, tmp_path):
    "`colorizer colorize` on a black-and-white photo writes a color photo with the input's size and lightness."
    from PIL import Image
    import numpy as np
    from skimage import color, data
    exe = venv/'bin'/'colorizer'
    gray = (color.rgb2gray(data.chelsea()) * 255).round().astype(np.uint8)  # (300, 451): not a multiple of 256
    src = tmp_path/'cat_bw.png'
    Image.fromarray(gray).save(src)
    help_text = run([str(exe), 'colorize', '--help'], cwd=tmp_path).stdout
    images = lambda: {p for p in tmp_path.rglob('*') if p.suffix.lower() in ('.png', '.jpg', '.jpeg')}
    before = images()
    run([str(exe), 'colorize'] + _cli_args(help_text, src, tmp_path/'out'), cwd=tmp_path)
    new = images() - before
    assert len(new) == 1, f'`colorizer colorize` should write one image for one photo, wrote {sorted(new)}'
    dst, = new
    out = np.asarray(Image.open(dst).convert('RGB'))
    assert out.shape[:2] == gray.shape, f'output {out.shape[:2]} != input {gray.shape}'
    lab = color.rgb2lab(out)
    l_in = color.rgb2lab(np.repeat(gray[..., None], 3, -1))[..., 0]
    assert np.abs(lab[..., 0] - l_in).mean() < 3, 'the output does not keep the input photo\'s lightness'
    assert np.hypot(lab[..., 1], lab[..., 2]).mean() > 1, 'the output is still gray'
    from PIL import ImageCms
    import io
    icc = Image.open(dst).info.get('icc_profile')
    assert icc and ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() == 'sRGB built-in', \
        'the output does not carry the sRGB ICC profile'


_PEAK_AT_EXIT = """import atexit, sys
from pathlib import Path
peak = lambda: next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')).split()[1]
atexit.register(lambda: print('peak_kb', peak(), file=sys.stderr))
from colorizer.cli import main
sys.exit(main())"""   # the console script's entry point, reporting its own peak RSS (a child's ru_maxrss would
                      # include its parent's: the kernel counts the memory shared with the parent before exec)


@NO_SCRIPT
@pytest.mark.skipif(not WEIGHTS, reason='no shipped weights to colorize with')
@pytest.mark.skipif(not Path('/proc/self/status').exists(), reason='peak memory is read from /proc (Linux)')
def test_colorize_cli_extreme_aspect(venv, tmp_path):
    "The installed command on a 178-byte 1×100000 PNG (which once asked ~15 GB) peaks where it does on a thumbnail."
    from PIL import Image
    import numpy as np
    peaks = {}
    for name, shape in [('thumb', (48, 64)), ('strip', (1, 100_000))]:
        Image.fromarray(np.resize(np.arange(256, dtype=np.uint8), shape)).save(tmp_path/f'{name}.png')
        r = subprocess.run([str(venv/'bin'/'python'), '-c', _PEAK_AT_EXIT, 'colorize', str(tmp_path/f'{name}.png'),
                            '--out', str(tmp_path/'out')], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, f'colorizer colorize {name}.png exited with {r.returncode}:\n{r.stderr[-2000:]}'
        peaks[name] = int(r.stderr.split('peak_kb')[-1]) / 1024
    assert Image.open(tmp_path/'out'/'strip.png').size == (100_000, 1)
    assert peaks['strip'] < peaks['thumb'] + 100, f'peak RSS (MB): {peaks}'
