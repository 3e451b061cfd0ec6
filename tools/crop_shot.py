"""Crop a tall headless-Chromium screenshot to the page: drop the blank rows below the content.

Usage: python tools/crop_shot.py shot.png   (rewritten in place; warns if the content reaches the bottom edge)
"""
import sys
import numpy as np
from PIL import Image

path = sys.argv[1]
img = np.asarray(Image.open(path).convert('RGB'))
rows = np.flatnonzero((img != img[-1]).any(axis=(1, 2)))  # rows unlike the bottom one (a fixed sidebar is alike)
if not len(rows): sys.exit(f'{path}: the shot is blank')
if rows[-1] >= img.shape[0] - 2:
    print(f'{path}: the page is longer than {img.shape[0]} px; the shot is cut there', file=sys.stderr)
bottom = min(img.shape[0], rows[-1] + 1 + 24)
Image.fromarray(img[:bottom]).save(path)
