"""The release machinery, checked offline as far as it can be: the GitHub workflows (tests on every push, the docs
site deployed to GitHub Pages, the package built, tried and published to PyPI with trusted publishing on a version
tag), the changelog and the citation file agree with settings.ini, and the package index page gets a README whose
links and pictures are absolute. What cannot be checked here: the real GitHub runners, PyPI and Pages."""
import re, runpy
from configparser import ConfigParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_cfg = ConfigParser(delimiters=['=']); _cfg.read(ROOT/'settings.ini', encoding='utf-8')
CFG = _cfg['DEFAULT']
WF = ROOT/'.github'/'workflows'


def workflow(name):
    wf = yaml.safe_load((WF/name).read_text(encoding='utf-8'))
    wf['on'] = wf.pop(True, wf.get('on'))          # YAML 1.1 reads the key `on` as True
    return wf


def steps(job): return job.get('steps', [])
def uses(job): return [s.get('uses', '').split('@')[0] for s in steps(job)]
def runs(job): return '\n'.join(s.get('run', '') for s in steps(job))


def test_tests_run_on_every_push():
    wf = workflow('test.yml')
    assert {'push', 'pull_request'} <= set(wf['on'])
    assert '.ci/run' in runs(wf['jobs']['test'])                      # the same script as local CI: make test + clean checks


def test_release_on_version_tags_with_trusted_publishing():
    wf = workflow('release.yml')
    assert wf['on'] == {'push': {'tags': ['v*']}}
    jobs = wf['jobs']
    publish = jobs['publish']
    assert 'pypa/gh-action-pypi-publish' in uses(publish)
    assert publish['permissions'] == {'id-token': 'write'}             # OIDC, nothing else
    assert publish['environment']['name'] == 'pypi'
    assert set(publish['needs']) == {'build', 'try'}                  # never publish what was not built and tried
    text = (WF/'release.yml').read_text(encoding='utf-8')
    assert 'secrets.' not in text and 'password' not in text, 'trusted publishing needs no stored token'
    assert 'python -m build' in runs(jobs['build']) and 'settings.ini' in runs(jobs['build'])
    tried = runs(jobs['try'])
    assert 'colorizer demo' in tried and 'colorizer colorize' in tried and 'mkdir /tmp/empty' in tried


def test_docs_deploy_to_pages():
    wf = workflow('docs.yml')
    build, deploy = wf['jobs']['build'], wf['jobs']['deploy']
    assert 'make docs' in runs(build)
    upload = next(s for s in steps(build) if s.get('uses', '').startswith('actions/upload-pages-artifact'))
    assert upload['with']['path'] == '_docs'                          # where tools/build_docs.py writes the site
    assert 'actions/deploy-pages' in uses(deploy) and deploy['permissions'] == {'pages': 'write', 'id-token': 'write'}


def test_changelog_and_citation_name_this_version():
    changelog = (ROOT/'CHANGELOG.md').read_text(encoding='utf-8')
    assert re.search(rf'^## \[{re.escape(CFG["version"])}\] - \d{{4}}-\d{{2}}-\d{{2}}$', changelog, re.M), \
        f'CHANGELOG.md has no dated section for version {CFG["version"]}'
    cff = yaml.safe_load((ROOT/'CITATION.cff').read_text(encoding='utf-8'))
    assert cff['cff-version'] == '1.2.0' and cff['message'] and cff['title'] and cff['authors']
    assert str(cff['version']) == CFG['version']
    assert cff['repository-code'] == CFG['git_url']
    assert cff['license'] == {'apache2': 'Apache-2.0'}.get(CFG['license'], CFG['license'])


def test_package_index_readme_has_absolute_links(monkeypatch):
    monkeypatch.chdir(ROOT)                                           # setup.py reads settings.ini from the current folder
    long_description = runpy.run_path(str(ROOT/'setup.py'), run_name='not_main')['long_description']
    text = long_description((ROOT/'README.md').read_text(encoding='utf-8'), CFG)
    targets = re.findall(r'!?\[[^\]]*\]\(([^)\s]+)\)', text)
    relative = [t for t in targets if not re.match(r'https?://|#', t)]
    assert not relative, f'relative links on the package index page: {relative}'
    raw = f"https://raw.githubusercontent.com/{CFG['user']}/{CFG['repo']}/{CFG['branch']}/images/test.png"
    assert f']({raw})' in text, 'the README picture must point at its raw file'
    assert f"]({CFG['git_url']}/blob/{CFG['branch']}/nbs/00_lab.ipynb)" in text


def test_readme_is_the_home_page():
    "README.md is made from nbs/index.ipynb by tools/make_readme.py, so the two never drift apart."
    import subprocess, sys
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'make_readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
