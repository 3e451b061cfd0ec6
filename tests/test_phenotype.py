"Traits: heritability, architectures, errors."
import numpy as np, pytest
from genopred_nb.simulate import simulate_cohort, Cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.encode import BASE_COUNTS, SYMBOL


@pytest.fixture(scope='module')
def cohort():
    return simulate_cohort(10_000, seed=11, n_autosomes=1, length=2e5, progress=False)


@pytest.mark.parametrize('h2', [0.1, 0.5, 0.9])
def test_realised_h2_within_002_at_10k(cohort, h2):
    assert abs(simulate_trait(cohort, h2=h2, seed=int(h2 * 10)).realised_h2 - h2) < 0.02


def test_multiallelic_sites_get_two_effect_alleles():
    wide = simulate_cohort(2000, seed=1, n_autosomes=1, length=1e6, sex_chromosomes=False, progress=False)
    t = simulate_trait(wide, h2=0.5, seed=1, n_causal=3000)
    alleles_per_site = t.causal.groupby(['chrom', 'site']).allele.nunique()
    assert (alleles_per_site >= 2).any()


def test_min_alleles_keeps_multiallelic_sites_only():
    wide = simulate_cohort(2000, seed=1, n_autosomes=1, length=1e6, sex_chromosomes=False, progress=False)
    t = simulate_trait(wide, h2=0.5, seed=1, n_causal=3, min_alleles=3)
    assert (t.causal.groupby(['chrom', 'site']).allele.nunique() >= 2).all() and t.causal.site.nunique() == 3


def test_panel_only_causal(cohort):
    assert simulate_trait(cohort, h2=0.5, seed=2, causal_sites='panel').causal.on_panel.all()


@pytest.mark.parametrize('kwargs, message', [
    (dict(h2=0), r"h2=0 is not a heritability; give a value strictly between 0 and 1"),
    (dict(h2=1.0), r"h2=1.0 is not a heritability"),
    (dict(h2=0.5, architecture={'additive': 0.7, 'epistasis': 0.2}), r"shares of the genetic variance sum to 0.9; make them sum to 1"),
    (dict(h2=0.5, prevalence=1.5), r"prevalence=1.5 must lie strictly between 0 and 1, or be None"),
    (dict(h2=0.5, n_causal=10**6), r"n_causal=1000000: the cohort has only \d+ polymorphic sequence sites for 'additive'"),
    (dict(h2=0.5, n_causal=10**6, min_alleles=3), r"sites for 'additive' on 1 with MAF >= 0.0 and 3 or more alleles; lower n_causal, min_maf or min_alleles"),
    (dict(h2=0.5, min_alleles=5), r"min_alleles=5; use 2 \(any polymorphic site\), 3 or 4 \(multiallelic sites\)"),
])
def test_trait_errors(cohort, kwargs, message):
    with pytest.raises(ValueError, match=message): simulate_trait(cohort, seed=1, **kwargs)


def test_sexed_components_centred_within_sex():
    c = simulate_cohort(2000, seed=5, n_autosomes=1, length=3e5, progress=False)
    t = simulate_trait(c, h2=0.5, seed=1, architecture={'x_linked': 0.4, 'y_linked': 0.2, 'sex_specific': 0.4},
                       n_causal={'x_linked': 50, 'y_linked': 20, 'sex_specific': 50})
    means = t.components.groupby(c.samples.sex.to_numpy()).mean()
    np.testing.assert_allclose(means.to_numpy(), 0, atol=1e-9)
    assert np.isclose(np.var(t.genetic_value), 0.5)
    assert t.causal.kind.value_counts()['y_linked'] >= 20
    with pytest.raises(ValueError, match=r"^n_causal has no 'x_linked'; give an integer >= 1 for every kind of the architecture$"):
        simulate_trait(c, h2=0.5, seed=1, architecture={'additive': 0.5, 'x_linked': 0.5}, n_causal={'additive': 10})


def test_causal_table_rebuilds_linear_components(cohort):
    t = simulate_trait(cohort, h2=0.5, seed=4)
    codes = cohort.true_codes('1', t.causal.site)
    counts = np.stack([BASE_COUNTS[codes[:, j], SYMBOL[a] - 1] for j, a in enumerate(t.causal.allele)], 1)
    g = counts @ t.causal.effect.to_numpy()
    np.testing.assert_allclose(g - g.mean(), t.genetic_value, atol=1e-9)


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(seed=None), TypeError, r"^seed=None is not an integer; pass a non-negative integer"),
    (dict(seed=-2), ValueError, r"^seed=-2 is negative"),
    (dict(h2='0.5'), TypeError, r"^h2='0.5' is a str, not a number; give a value strictly between 0 and 1$"),
    (dict(n_causal=True), TypeError, r"^n_causal\['additive'\]=True is a bool, not a count; pass an integer >= 1$"),
    (dict(n_causal=0), ValueError, r"^n_causal\['additive'\]=0: 'additive' needs at least one causal site"),
    (dict(min_maf=float('nan')), ValueError, r"^min_maf=nan is not finite"),
])
def test_trait_argument_types(kwargs, error, message):
    tiny = simulate_cohort(50, seed=1, n_autosomes=1, length=5e4, progress=False)
    with pytest.raises(error, match=message): simulate_trait(tiny, **dict(dict(h2=0.5, seed=1), **kwargs))


def test_trait_on_a_cohort_without_tree_sequences_says_so():
    "A joined cohort (genotypes under one name, see experiment.joined) has no truth to draw causal sites from."
    c = simulate_cohort(50, seed=1, n_autosomes=1, length=5e4, progress=False)
    genome = Cohort({'genome': np.concatenate(list(c.genotypes.values()), axis=1)}, c.variants.assign(chrom='genome'),
                    c.samples, {}, {})
    with pytest.raises(ValueError, match=r"^the cohort has no tree sequence for chromosomes \['genome'\] \(a joined cohort"):
        simulate_trait(genome, h2=0.5, seed=1)


@pytest.fixture(scope='module')
def two_chromosomes():
    return simulate_cohort(1500, seed=12, n_autosomes=2, length=1e6, sex_chromosomes=False, progress=False)


EPISTATIC = {'additive': 0.4, 'epistasis': 0.6}


@pytest.mark.parametrize('distance, low, high', [((0, 5_000), 0, 5_000), ((50_000, 300_000), 50_000, 300_000)])
def test_epistatic_pairs_at_the_asked_distance(two_chromosomes, distance, low, high):
    t = simulate_trait(two_chromosomes, h2=0.5, seed=3, architecture=EPISTATIC, n_causal=30, epistasis_distance=distance)
    epi = t.causal[t.causal.kind == 'epistasis']
    by_pair = epi.groupby('pair')
    assert len(by_pair) == 30 and (by_pair.chrom.nunique() == 1).all()
    gaps = by_pair.pos.agg(lambda p: p.max() - p.min())
    assert gaps.between(low, high).all() and np.allclose(by_pair.pair_distance.first(), gaps)
    assert abs(t.shares['epistasis'] - 0.6) < 0.05


def test_epistatic_pairs_on_other_chromosomes(two_chromosomes):
    t = simulate_trait(two_chromosomes, h2=0.5, seed=3, architecture=EPISTATIC, n_causal=30,
                       epistasis_distance='other_chromosome')
    epi = t.causal[t.causal.kind == 'epistasis']
    assert (epi.groupby('pair').chrom.nunique() == 2).all() and epi.pair_distance.isna().all()


def test_default_pairs_unchanged_by_the_option(two_chromosomes):
    a = simulate_trait(two_chromosomes, h2=0.5, seed=3, architecture=EPISTATIC)
    b = simulate_trait(two_chromosomes, h2=0.5, seed=3, architecture=EPISTATIC, epistasis_distance=None)
    assert np.array_equal(a.y, b.y) and a.causal.equals(b.causal)


@pytest.mark.parametrize('kwargs, message', [
    (dict(epistasis_distance=(3e6, 4e6)), r"\(3000000.0, 4000000.0\): no chromosome of the trait \(1: 1,000,000 bp, "
     r"2: 1,000,000 bp\) is longer than min_bp=3,000,000, so no pair can lie that far apart; give a smaller distance"),
    (dict(epistasis_distance=5_000), r"epistasis_distance=5000; give \(min_bp, max_bp\) with 0 <= min_bp <= max_bp"),
    (dict(epistasis_distance='far'), r"epistasis_distance='far'; give \(min_bp, max_bp\)"),
    (dict(epistasis_distance=(0, 1), n_causal=50), r"epistasis_distance=\(0, 1\): the cohort has only \d+ of the "
     r"n_causal=50 epistatic pairs .* at that distance on 1, 2; widen the distance or lower n_causal"),
])
def test_epistasis_distance_errors(two_chromosomes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_trait(two_chromosomes, h2=0.5, seed=1, architecture=EPISTATIC, **kwargs)


def test_epistasis_distance_needs_epistasis_and_two_autosomes(two_chromosomes):
    with pytest.raises(ValueError, match=r"epistasis_distance=\(0, 10000\) but the architecture has no 'epistasis'"):
        simulate_trait(two_chromosomes, h2=0.5, seed=1, epistasis_distance=(0, 10_000))
    one = two_chromosomes.subset(chromosomes=['1'])
    with pytest.raises(ValueError, match=r"'other_chromosome' needs two autosomes, but the cohort has only \['1'\]"):
        simulate_trait(one, h2=0.5, seed=1, architecture=EPISTATIC, epistasis_distance='other_chromosome')
