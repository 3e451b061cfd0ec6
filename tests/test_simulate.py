"Cohort simulation: determinism, errors, files, tree sequences from elsewhere."
import msprime, numpy as np, pandas as pd, pytest
from genopred_nb.simulate import simulate_cohort, Cohort, bottleneck_expansion
from genopred_nb.phenotype import simulate_trait


@pytest.fixture(scope='module')
def cohort():
    return simulate_cohort(400, seed=7, n_autosomes=2, length=3e5, ambiguity_rate=0.01, missing_rate=0.02, progress=False)


def test_same_seed_same_bytes(cohort):
    again = simulate_cohort(400, seed=7, n_autosomes=2, length=3e5, ambiguity_rate=0.01, missing_rate=0.02, progress=False)
    for c in cohort.chromosomes: assert again.genotypes[c].tobytes() == cohort.genotypes[c].tobytes()
    t1, t2 = simulate_trait(cohort, h2=0.4, seed=3, prevalence=0.2), simulate_trait(again, h2=0.4, seed=3, prevalence=0.2)
    assert t1.y.tobytes() == t2.y.tobytes() and t1.genetic_value.tobytes() == t2.genetic_value.tobytes()


def test_save_load_round_trip(cohort, tmp_path):
    cohort.save(tmp_path / 'c.npz')
    back = Cohort.load(tmp_path / 'c.npz')
    for c in cohort.chromosomes:
        assert back.genotypes[c].tobytes() == cohort.genotypes[c].tobytes()
        assert back.tree_sequences[c].tables == cohort.tree_sequences[c].tables
    pd.testing.assert_frame_equal(back.variants, cohort.variants)
    pd.testing.assert_frame_equal(back.samples, cohort.samples)


def test_subset_keeps_truth(cohort):
    idx = np.array([5, 3, 250])
    sub = cohort.subset(individuals=idx)
    sites = cohort.variants.site[cohort.variants.chrom == 'X'][:20]
    np.testing.assert_array_equal(sub.true_codes('X', sites), cohort.true_codes('X', sites)[idx])


def test_from_tree_sequences_matches_simulate(cohort):
    sexes = cohort.samples.sex.to_numpy()
    rebuilt = Cohort.from_tree_sequences(cohort.tree_sequences, sexes=sexes, seed=7, ambiguity_rate=0.01, missing_rate=0.02, progress=False)
    for c in cohort.chromosomes: np.testing.assert_array_equal(rebuilt.genotypes[c], cohort.genotypes[c])
    pd.testing.assert_frame_equal(rebuilt.variants, cohort.variants)


def test_from_tree_sequences_user_simulation():
    ts = msprime.sim_ancestry(50, population_size=1e4, sequence_length=1e5, recombination_rate=1e-8, random_seed=1)
    ts = msprime.sim_mutations(ts, rate=1e-8, model=msprime.HKY(kappa=2), random_seed=1)
    c = Cohort.from_tree_sequences({'7': ts}, sexes=['F'] * 50, seed=1, progress=False)
    assert c.chromosomes == ['7'] and c.genotypes['7'].shape == (50, c.n_variants)
    with pytest.raises(ValueError, match=r"tree_sequences\['X'\] has 50 individuals of ploidy 2 but the cohort has 25 females"):
        Cohort.from_tree_sequences({'X': ts}, sexes=['F', 'M'] * 25, seed=1, progress=False)
    binary = msprime.sim_mutations(ts, rate=1e-8, model=msprime.BinaryMutationModel(), random_seed=1, keep=False)
    with pytest.raises(ValueError, match=r"tree_sequences\['7'\]: site \d+ has alleles \('0', '1'\), not nucleotides"):
        Cohort.from_tree_sequences({'7': binary}, sexes=['F'] * 50, seed=1, progress=False)


def test_density_thins_panel():
    c = simulate_cohort(200, seed=1, n_autosomes=1, length=1e6, sex_chromosomes=False, panel_density=300, progress=False)
    assert c.n_variants == 300


def test_recombination_shortens_trees():
    few = simulate_cohort(100, seed=1, n_autosomes=1, length=5e5, recombination_rate=1e-9, sex_chromosomes=False, progress=False)
    many = simulate_cohort(100, seed=1, n_autosomes=1, length=5e5, recombination_rate=1e-7, sex_chromosomes=False, progress=False)
    assert many.tree_sequences['1'].num_trees > 10 * few.tree_sequences['1'].num_trees


def test_bottleneck_demography_runs():
    c = simulate_cohort(100, seed=1, n_autosomes=1, length=2e5, demography=bottleneck_expansion(), progress=False)
    assert set(c.chromosomes) == {'1', 'X', 'Y'}


@pytest.mark.parametrize('kwargs, message', [
    (dict(n_individuals=0), "n_individuals=0: a cohort needs at least one individual; pass an integer >= 1"),
    (dict(n_individuals=10, n_autosomes=0), "n_autosomes=0: simulate at least one autosome; pass an integer >= 1"),
    (dict(n_individuals=10, length=-5), "length=-5 must be positive"),
    (dict(n_individuals=10, mutation_model='k80'), "mutation_model='k80' is not a model; use 'jc69', 'hky' or an msprime nucleotide model"),
    (dict(n_individuals=10, ambiguity_rate=-0.1), r"ambiguity_rate=-0.1 is not a rate; give a value in \[0, 1\]"),
])
def test_simulate_errors(kwargs, message):
    with pytest.raises(ValueError, match=message): simulate_cohort(seed=1, progress=False, **kwargs)


def test_unknown_chromosome(cohort):
    with pytest.raises(ValueError, match="chrom: 'Z' is not a chromosome of this cohort; it has '1', '2', 'X', 'Y'"):
        cohort.true_codes('Z', [0])


def test_recombination_map_and_hky():
    rmap = msprime.RateMap(position=[0, 2e5, 4e5], rate=[1e-9, 1e-7])
    c = simulate_cohort(100, seed=1, n_autosomes=1, recombination_rate=rmap, mutation_model='hky', progress=False)
    ts = c.tree_sequences['1']
    assert ts.sequence_length == 4e5 and c.tree_sequences['X'].sequence_length == 4e5
    breaks = ts.breakpoints(as_array=True)
    assert ((breaks > 2e5) & (breaks < 4e5)).sum() > 5 * ((breaks > 0) & (breaks < 2e5)).sum()
    with pytest.raises(ValueError, match="x_length and y_length come from recombination_rate's map; leave them None"):
        simulate_cohort(10, seed=1, recombination_rate=rmap, x_length=1e5, progress=False)


def test_subset_keeps_genotypes_and_variants_aligned(cohort):
    sub = cohort.subset(chromosomes=['X', '1'], variants=np.arange(cohort.n_variants)[::3])
    assert sub.chromosomes == ['1', 'X'] and sub.variants.chrom.unique().tolist() == ['1', 'X']
    for c in sub.chromosomes:
        sites = sub.variants.site[sub.variants.chrom == c]
        np.testing.assert_array_equal(sub.genotypes[c], cohort.genotypes[c][:, np.isin(cohort.variants.site[cohort.variants.chrom == c], sites)])
    with pytest.raises(ValueError, match="individuals has values of type float64; give a boolean mask or integer indices"):
        cohort.subset(individuals=[1.7, 2.2])


def test_sample_ids_checked():
    ts = msprime.sim_mutations(msprime.sim_ancestry(4, population_size=1e4, sequence_length=1e4, random_seed=1), rate=1e-7,
                               model=msprime.JC69(), random_seed=1)
    with pytest.raises(ValueError, match="sample_ids has 3 names for 4 individuals; give one per individual"):
        Cohort.from_tree_sequences({'1': ts}, sexes=list('FFMM'), sample_ids=['a', 'b', 'c'], seed=1, progress=False)
    with pytest.raises(ValueError, match="sample_ids has duplicates; give every individual its own name"):
        Cohort.from_tree_sequences({'1': ts}, sexes=list('FFMM'), sample_ids=['a', 'b', 'c', 'a'], seed=1, progress=False)


def test_missing_data_keeps_absent_copies_absent():
    "A site where one node has no ancestry (missing data): men's second X copy stays absent, the isolated node reads N."
    x = simulate_cohort(20, seed=3, n_autosomes=1, length=1e5, progress=False).tree_sequences['X']
    tables = x.dump_tables()
    node = int(x.individual(0).nodes[0])
    keep = ~((tables.edges.child == node) & (tables.edges.left < 5e4))
    tables.edges.set_columns(**{k: getattr(tables.edges, k)[keep] for k in ('left', 'right', 'parent', 'child')})
    ts = tables.tree_sequence()
    sexes = np.array(['F' if len(i.nodes) == 2 else 'M' for i in ts.individuals()])
    c = Cohort.from_tree_sequences({'X': ts}, sexes=sexes, seed=1, panel_maf=0, progress=False)
    left = (c.variants.pos <= 5e4).to_numpy()
    g = c.genotypes['X'][:, left]
    assert ((g[sexes == 'M'] & 15) == 0).all()  # men: second copy absent
    assert ((g[0] >> 4) == 15).all()  # the isolated node: N
