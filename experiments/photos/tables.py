"""Print markdown tables from runs/results.jsonl (written by evaluate.py), so RESULTS.md copies numbers, never retypes them.
Usage: tables.py [--filter SUBSTRING] [--cols kodak24/pil,mcmaster/pil,cifar]
"""
import argparse, json

p = argparse.ArgumentParser(); p.add_argument('--filter', default=''); p.add_argument('--jsonl', default='runs/photos_experiments/results.jsonl')
p.add_argument('--cols', default='kodak24/pil,mcmaster/pil,cifar')
a = p.parse_args()
cols = a.cols.split(',')
f = lambda r: '–' if r is None else f"{r['ciede2000']:.2f} / {r['auc']:.4f} / {r['accuracy']:.3f} / {r['psnr']:.2f} / {r['colorfulness_ratio']:.2f} / {r['l_drift']:.2f}"
print('| row | ' + ' | '.join(cols) + ' |'); print('|---|' + '---|' * len(cols))
for line in open(a.jsonl):
    r = json.loads(line)
    name = r['tag'] + (f" {r['spec']}" if 'spec' in r else '') + (f" calib={r['calib']}" if r.get('calib') not in (None, 'none') else '') \
        + (f" T={r['T']}" if r.get('T') else '') + (f" (gain {r['gain']:.3f})" if 'gain' in r else '')
    if a.filter and a.filter not in name: continue
    res = r['results']
    if not any(c in res for c in cols): continue
    print(f'| {name} | ' + ' | '.join(f(res.get(c)) for c in cols) + ' |')
