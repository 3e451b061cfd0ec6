"The LD module: the band against NumPy, the window's response to recombination, errors."
import numpy as np, pytest
from genopred_nb.simulate import simulate_cohort, bottleneck_expansion
from genopred_nb.encode import scalar_codes
from genopred_nb.ld import banded_r, ld_window, ld_blocks, effective_number


def cohort(**kwargs):
    return simulate_cohort(1000, seed=3, n_autosomes=1, length=1e6, sex_chromosomes=False,
                           demography=bottleneck_expansion(), progress=False, **kwargs)


def test_band_matches_numpy():
    g = cohort().genotypes['1'][:, :300]
    full = np.corrcoef(scalar_codes(g, scheme='purine_pyrimidine'), rowvar=False)
    band = banded_r(g, window=15, scheme='purine_pyrimidine', chunk=37)
    for k in range(1, 16):
        np.testing.assert_allclose(band[:300 - k, k - 1], full.diagonal(k), atol=1e-4)
    assert np.isnan(band[-1]).all()


def test_more_recombination_shorter_window():
    slow, fast = (ld_window(cohort(recombination_rate=r)).overall for r in (0.5e-8, 4e-8))
    assert slow > 2 * fast


def test_window_longer_than_chromosome():
    g = cohort().genotypes['1']
    m = g.shape[1]
    with pytest.raises(ValueError, match=rf"^window={m + 5} does not fit a chromosome of {m} variants; give a window between 1 and {m - 1}$"):
        banded_r(g, window=m + 5)


def test_ld_window_caps_at_the_chromosome():
    tiny = simulate_cohort(300, seed=2, n_autosomes=1, length=5e4, sex_chromosomes=False, progress=False)
    lw = ld_window(tiny, max_window=10_000)
    assert lw.per_chromosome.window.iloc[0] <= tiny.n_variants - 1


@pytest.mark.parametrize('call, message', [
    (lambda c: ld_window(c, rule='median'), r"^rule='median' is not a rule; use 'decay' or 'blocks'$"),
    (lambda c: ld_window(c, scheme='ascii'), r"^scheme='ascii' is not a scheme; use one of 'alphabet', 'purine_pyrimidine', 'dosage'$"),
    (lambda c: ld_window(c, chromosomes=['7']), r"^chromosomes: '7' is not a chromosome of this cohort; it has '1'$"),
    (lambda c: ld_blocks(np.zeros((3, 2)), r2_threshold=0), r"^r2_threshold=0 is not an r²; give a value strictly between 0 and 1$"),
    (lambda c: ld_blocks(np.zeros((3, 2)), span=0), r"^span=0 must be at least 1$"),
    (lambda c: ld_window(c, max_window=0), r"^max_window=0 must be at least 1$"),
    (lambda c: ld_window(c.subset(variants=[0])), r"^chromosome '1' has 1 variant\(s\); LD needs at least 2, leave it out with chromosomes=$"),
])
def test_errors(call, message):
    with pytest.raises(ValueError, match=message): call(cohort())


def test_effective_number_grows_with_recombination():
    assert effective_number(cohort(recombination_rate=4e-8)) > 2 * effective_number(cohort(recombination_rate=0.5e-8))


def test_ld_window_when_no_chromosome_reaches_the_threshold():
    lw = ld_window(cohort(), r2_threshold=1e-6, max_window=20)
    assert lw.overall == 20 and not lw.per_chromosome.reached.any()


def test_effective_number_counts_a_lone_variant():
    c = cohort()
    one = c.subset(variants=[0])
    assert effective_number(one) == 1


def test_ld_window_reads_through_noisy_calls():
    "Ambiguous and missing calls (5% each) leave the window where clean calls put it; scored as values they collapsed it to 1."
    kw = dict(seed=3, n_autosomes=1, length=1e6, sex_chromosomes=False, progress=False)
    clean = ld_window(simulate_cohort(2000, **kw)).overall
    noisy = ld_window(simulate_cohort(2000, ambiguity_rate=0.05, missing_rate=0.05, **kw)).overall
    assert clean > 3 and abs(noisy - clean) <= 1, (clean, noisy)
