"""Drop progress bars (tqdm's stderr streams) and the empty stderr blocks they leave from executed notebooks.

Usage: .venv/bin/python tools/strip_progress.py nbs/*.ipynb   (`make notebooks` runs it after executing them)
"""
import json, re, sys
from pathlib import Path

BAR = re.compile(r'\d+%\|[^|\n]*\|')  # tqdm's '42%|████      |'


def is_bar(out: dict) -> bool:
    "A stderr stream that shows a progress bar, or nothing at all (what a closed bar leaves)."
    if out.get('output_type') != 'stream' or out.get('name') != 'stderr': return False
    text = ''.join(out['text'])
    return not text.strip() or bool(BAR.search(text))


for path in map(Path, sys.argv[1:]):
    nb = json.loads(path.read_text())
    cells = [c for c in nb['cells'] if any(map(is_bar, c.get('outputs', [])))]
    for c in cells: c['outputs'] = [o for o in c['outputs'] if not is_bar(o)]
    if cells:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
        print(f'{path}: progress bars dropped from {len(cells)} cells')
