"""Write README.md from the front page, nbs/index.ipynb (what `nbdev_readme` does, without Quarto).

Its markdown cells, and the markdown outputs of its code cells (the headline table), become the README; links to
notebooks point into nbs/. Run from the repository root, after the index has been executed.
"""
import json, re
from pathlib import Path

def parts(cell):
    if cell['cell_type'] == 'markdown': yield ''.join(cell['source'])
    for out in cell.get('outputs', []):
        if 'text/markdown' in out.get('data', {}): yield ''.join(out['data']['text/markdown'])

nb = json.loads(Path('nbs/index.ipynb').read_text())
text = '\n\n'.join(p for c in nb['cells'] for p in parts(c))
text = re.sub(r"\]\((\d\d\w*_\w+\.ipynb(#[\w-]+)?)\)", r"](nbs/\1)", text)
Path('README.md').write_text(text.rstrip() + '\n')
print('README.md written from nbs/index.ipynb')
