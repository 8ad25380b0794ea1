# nbdev 2's setup.py template, without pkg_resources (gone from current setuptools).
# Every setting lives in settings.ini: edit it there, not here.
from configparser import ConfigParser
import re, setuptools, shlex

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o:cfg[o] for o in cfg_keys}

licenses = {
    'apache2': ('Apache Software License 2.0','OSI Approved :: Apache Software License'),
    'mit': ('MIT License', 'OSI Approved :: MIT License'),
}
statuses = [ '1 - Planning', '2 - Pre-Alpha', '3 - Alpha',
    '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive' ]
py_versions = '3.9 3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
if cfg.get('pip_requirements'): requirements += shlex.split(cfg.get('pip_requirements', ''))
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
dev_requirements = shlex.split(cfg.get('dev_requirements') or '')
notebooks_requirements = shlex.split(cfg.get('notebooks_requirements') or '')
app_requirements = shlex.split(cfg.get('app_requirements') or '')
pretrained_requirements = shlex.split(cfg.get('pretrained_requirements') or '')
video_requirements = shlex.split(cfg.get('video_requirements') or '')
onnx_requirements = shlex.split(cfg.get('onnx_requirements') or '')

# package_data is keyed by the import name (lib_path), not the distribution name
package_data = {cfg['lib_path']: cfg.get('package_data', '').split()}

def long_description(text, cfg):
    "README.md for the package index page: relative links point at the repository, relative pictures at their raw files."
    blob = f"{cfg['git_url']}/blob/{cfg['branch']}/"
    raw = f"https://raw.githubusercontent.com/{cfg['user']}/{cfg['repo']}/{cfg['branch']}/"
    def absolute(m):
        bang, label, target = m.groups()
        if re.match(r'[a-zA-Z][a-zA-Z0-9+.-]*:|#|/', target): return m.group(0)   # already absolute, or an anchor
        return f'{bang}[{label}]({(raw if bang else blob) + target})'
    return re.sub(r'(!?)\[([^\]]*)\]\(([^)\s]+)\)', absolute, text)

if __name__ == '__main__':   # (pip and build run this file as a script; tests import `long_description`)
  setuptools.setup(
      name = cfg['lib_name'],
      license = lic[0],
      classifiers = [
          'Development Status :: ' + statuses[int(cfg['status']) - 1],
          'Intended Audience :: ' + cfg['audience'].title(),
          'Natural Language :: ' + cfg['language'].title(),
      ] + ['Programming Language :: Python :: '+o for o in py_versions[py_versions.index(min_python):]] + (['License :: ' + lic[1] ] if lic[1] else []),
      url = cfg['git_url'],
      project_urls = {'Documentation': cfg['doc_host'] + cfg['doc_baseurl'], 'Source': cfg['git_url']},
      packages = setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
      package_data = package_data,
      include_package_data = True,
      install_requires = requirements,
      extras_require = {'dev': dev_requirements, 'notebooks': notebooks_requirements, 'app': app_requirements,
                        'pretrained': pretrained_requirements, 'video': video_requirements, 'onnx': onnx_requirements},
      python_requires = '>=' + cfg['min_python'],
      long_description = long_description(open('README.md', encoding='utf-8').read(), cfg),
      long_description_content_type = 'text/markdown',
      zip_safe = False,
      entry_points = {
          'console_scripts': cfg.get('console_scripts','').split(),
          'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']
      },
      **setup_cfg)
