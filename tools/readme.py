"""Write README.md from the front page, nbs/index.ipynb (what `nbdev_readme` does, without Quarto).

Its markdown cells become the README; links to notebooks point into nbs/. Run from the repository root.
"""
import json, re
from pathlib import Path

nb = json.loads(Path('nbs/index.ipynb').read_text())
cells = [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown']
text = '\n\n'.join(cells)
text = re.sub(r'\]\((\d\d_\w+\.ipynb)\)', r'](nbs/\1)', text)
Path('README.md').write_text(text.rstrip() + '\n')
print('README.md written from nbs/index.ipynb')
