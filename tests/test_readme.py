"The README's headline table is the one the chapters' saved results give."
from pathlib import Path
from genopred_nb.experiment import CHAPTERS, front_page_table, load_results

ROOT = Path(__file__).parents[1]
STUDY = ROOT / 'results' / 'study'


def test_readme_headline_equals_the_saved_results():
    readme = (ROOT / 'README.md').read_text().replace('](nbs/', '](')  # tools/readme.py points links into nbs/
    assert front_page_table(where=STUDY) in readme


def test_saved_results_cover_every_chapter_over_three_seeds():
    scores = load_results(where=STUDY)
    assert set(CHAPTERS) <= set(scores.chapter)
    seeds = scores.groupby(['chapter', 'condition', 'method', 'group', 'metric']).seed.nunique()
    assert (seeds >= 3).all(), seeds[seeds < 3]
