"Cohort simulation: determinism, errors, files, tree sequences from elsewhere."
import re, signal, subprocess, sys, textwrap
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


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(n_individuals=0), ValueError, "n_individuals=0: a cohort needs at least one individual; pass an integer >= 1"),
    (dict(n_individuals=True), TypeError, "n_individuals=True is a bool, not a count; pass an integer >= 1"),
    (dict(n_individuals=10.0), TypeError, "n_individuals=10.0 is a float, not a count; pass an integer >= 1"),
    (dict(n_autosomes=0), ValueError, "n_autosomes=0: simulate at least one autosome; pass an integer >= 1"),
    (dict(length=-5), ValueError, "length=-5 must be positive; pass a finite number > 0"),
    (dict(length=float('inf')), ValueError, "length=inf is not finite; pass a finite number > 0"),
    (dict(length='1e6'), TypeError, "length='1e6' is a str, not a number; pass a finite number > 0"),
    (dict(seed=None), TypeError, "seed=None is not an integer; pass a non-negative integer, e.g. seed=1"),
    (dict(seed=-1), ValueError, "seed=-1 is negative; pass a non-negative integer, e.g. seed=1"),
    (dict(seed=1.5), TypeError, "seed=1.5 is not an integer; pass a non-negative integer"),
    (dict(female_fraction='half'), TypeError, "female_fraction='half' is a str, not a number"),
    (dict(recombination_rate=-1e-8), ValueError, "recombination_rate=-1e-08 is negative"),
    (dict(mutation_model='k80'), ValueError, "mutation_model='k80' is not a model; use 'jc69', 'hky' or an msprime nucleotide"),
    (dict(ambiguity_rate=-0.1), ValueError, r"ambiguity_rate=-0.1 is not a rate; give a value in \[0, 1\]"),
    (dict(panel_density=float('nan')), ValueError, "panel_density=nan is not finite; give a density in variants per Mb"),
])
def test_simulate_errors_before_simulating(monkeypatch, kwargs, error, message):
    def simulated(*args, **kwargs): raise AssertionError('simulated before checking the arguments')
    monkeypatch.setattr(msprime, 'sim_ancestry', simulated)
    with pytest.raises(error, match=f'^{message}'): simulate_cohort(**dict(dict(n_individuals=10, seed=1), **kwargs))


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


def test_from_tree_sequences_checks_sexes_and_seed():
    ts = msprime.sim_mutations(msprime.sim_ancestry(4, population_size=1e4, sequence_length=1e4, random_seed=1), rate=1e-7,
                               model=msprime.JC69(), random_seed=1)
    with pytest.raises(TypeError, match=r"^sexes=None is not a sequence; give 'F' or 'M' per individual"):
        Cohort.from_tree_sequences({'1': ts}, sexes=None, seed=1, progress=False)
    with pytest.raises(TypeError, match=r"^seed=None is not an integer"):
        Cohort.from_tree_sequences({'1': ts}, sexes=list('FFMM'), seed=None, progress=False)


# --- sample ids ------------------------------------------------------------------------------------------------------

def test_sample_ids_identify_the_cohort(cohort):
    ids = cohort.samples.sample_id
    tag = ids[0].split('_')[0]
    assert re.fullmatch('[0-9a-f]{8}', tag) and ids.tolist() == [f'{tag}_{k}' for k in range(cohort.n_individuals)]
    small = dict(n_autosomes=1, length=1e5, progress=False)
    a, a_again, b = simulate_cohort(50, seed=1, **small), simulate_cohort(50, seed=1, **small), simulate_cohort(50, seed=2, **small)
    assert a.samples.sample_id.tolist() == a_again.samples.sample_id.tolist()
    assert not set(a.samples.sample_id) & set(b.samples.sample_id)
    noisier = simulate_cohort(50, seed=1, missing_rate=0.01, **small)  # another panel of the same sequences: another cohort
    assert not set(a.samples.sample_id) & set(noisier.samples.sample_id)


def test_trait_of_another_cohort_is_refused():
    from genopred_nb.design import phenotype_vector
    from genopred_nb.lasso import LassoPRS
    a, b = (simulate_cohort(120, seed=s, n_autosomes=1, length=1e5, progress=False) for s in (1, 2))
    trait_a = simulate_trait(a, h2=0.5, seed=1, n_causal=5)
    for fit in (lambda: phenotype_vector(b, trait_a), lambda: LassoPRS().fit(b, trait_a)):
        with pytest.raises(ValueError, match="y and the cohort are from different sample sets: 120 of the cohort's 120"):
            fit()


# --- files -----------------------------------------------------------------------------------------------------------

KILLED_MIDWAY = textwrap.dedent("""
    import sys, time, numpy as np
    from genopred_nb.simulate import Cohort
    path, pause_at = sys.argv[1], int(sys.argv[2])
    cohort, write_array, calls = Cohort.load(path), np.lib.format.write_array, [0]
    def write_or_pause(*args, **kwargs):
        calls[0] += 1
        if calls[0] == pause_at: print('midway', flush=True); time.sleep(60)
        return write_array(*args, **kwargs)
    np.lib.format.write_array = write_or_pause
    while True: cohort.save(path)
""")


def test_save_killed_midway_leaves_the_previous_file_whole(cohort, tmp_path):
    "A SIGKILL while `save` rewrites a file (here, held halfway through its second save) leaves the old file loadable."
    path = tmp_path / 'c.npz'
    cohort.save(path)
    with np.load(path) as z: n_arrays = len(z.files)
    proc = subprocess.Popen([sys.executable, '-c', KILLED_MIDWAY, str(path), str(n_arrays + n_arrays // 2)],
                            stdout=subprocess.PIPE, text=True)
    try: assert proc.stdout.readline().strip() == 'midway'
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    back = Cohort.load(path)
    for c in cohort.chromosomes: assert back.genotypes[c].tobytes() == cohort.genotypes[c].tobytes()
    assert all(re.fullmatch(r'\.c\.npz\.\w+\.tmp', p.name) for p in tmp_path.iterdir() if p != path)  # the stray


def test_save_leaves_no_temporary_file(cohort, tmp_path):
    for _ in range(2): cohort.save(tmp_path / 'c.npz')
    assert [p.name for p in tmp_path.iterdir()] == ['c.npz']


def arrays_of(path):
    with np.load(path) as z: return dict(z)


def npy(path, array):
    "np.save, but to `path` exactly (np.save appends .npy to a name without it)."
    with open(path, 'wb') as f: np.save(f, array)


@pytest.mark.parametrize('write, message', [
    (lambda p, a: npy(p, a['genotypes/1']), "is not a cohort file written by Cohort.save; it is not an .npz archive"),
    (lambda p, a: p.write_text('sample_id sex\ns0 F\n'), "is not a cohort file written by Cohort.save; it is not an .npz"),
    (lambda p, a: np.savez(p, x=np.arange(3)), "is not a cohort file written by Cohort.save; it lacks chromosomes, meta"),
    (lambda p, a: np.savez(p, **a | {'format': np.array('other')}), "is not a cohort file .*; its format is 'other'"),
    (lambda p, a: np.savez(p, **a | {'version': np.array(99)}), "has cohort format version 99 but this genopred_nb reads"),
])
def test_load_refuses_other_files(cohort, tmp_path, write, message):
    cohort.save(tmp_path / 'c.npz')
    write(tmp_path / 'other.npz', arrays_of(tmp_path / 'c.npz'))
    with pytest.raises(ValueError, match=f"^{re.escape(str(tmp_path / 'other.npz'))} {message}"):
        Cohort.load(tmp_path / 'other.npz')


@pytest.mark.parametrize('edit, message', [
    (lambda a: {'genotypes/1': a['genotypes/1'][:, :100]}, r"genotypes\['1'\] has 100 rows for 400 individuals"),
    (lambda a: {'genotypes/2': a['genotypes/2'][:-3]}, r"genotypes\['2'\] has \d+ variants, the variants table \d+"),
    (lambda a: {'sample_id': np.full(400, 's0')}, r"sample ids repeat \(399 times, first 's0'\)"),
    (lambda a: {'sex': np.full(400, 'Q')}, r"sexes have values \['Q'\], not 'F' or 'M'"),
    (lambda a: {'nodes/X': a['nodes/X'][:5]}, r"nodes\['X'\] has shape \(5, 2\), not \(400, 2\)"),
    (lambda a: {'pos': a['pos'][:-1]}, r"a table's columns differ in length"),
])
def test_load_refuses_files_that_do_not_hold_together(cohort, tmp_path, edit, message):
    cohort.save(tmp_path / 'c.npz')
    a = arrays_of(tmp_path / 'c.npz')
    np.savez(tmp_path / 'edited.npz', **a | edit(a))
    with pytest.raises(ValueError, match=f"edited.npz does not hold together: .*{message}.*; write the cohort again with Cohort.save$"):
        Cohort.load(tmp_path / 'edited.npz')


def test_load_reads_files_without_a_version(cohort, tmp_path):
    "Files written before the format had a name and version (the same arrays otherwise) load as version 1."
    cohort.save(tmp_path / 'c.npz')
    a = arrays_of(tmp_path / 'c.npz')
    np.savez(tmp_path / 'v1.npz', **{k: v for k, v in a.items() if k not in ('format', 'version')})
    back = Cohort.load(tmp_path / 'v1.npz')
    pd.testing.assert_frame_equal(back.samples, cohort.samples)
    assert back.genotypes['X'].tobytes() == cohort.genotypes['X'].tobytes()


def test_cohort_without_tree_sequences_saves_subsets_and_loads(cohort, tmp_path):
    "A joined cohort (see `experiment.joined`): the genotypes under one name, no tree sequences."
    genome = Cohort({'genome': np.concatenate(list(cohort.genotypes.values()), axis=1)},
                    cohort.variants.assign(chrom='genome'), cohort.samples, {}, {}, dict(cohort.meta))
    partly = Cohort(cohort.genotypes, cohort.variants, cohort.samples, {'1': cohort.tree_sequences['1']},
                    {'1': cohort.nodes['1']}, cohort.meta)
    for c in (genome, partly):
        c.save(tmp_path / 'c.npz')
        back = Cohort.load(tmp_path / 'c.npz')
        assert back.chromosomes == c.chromosomes and set(back.tree_sequences) == set(c.tree_sequences)
        for chrom in c.chromosomes: np.testing.assert_array_equal(back.genotypes[chrom], c.genotypes[chrom])
    sub = genome.subset(individuals=[3, 1])
    np.testing.assert_array_equal(sub.genotypes['genome'], genome.genotypes['genome'][[3, 1]])
    assert partly.subset(individuals=[3, 1]).true_codes('1', [0]).shape == (2, 1)
    with pytest.raises(ValueError, match=r"^chrom='genome' has no tree sequence in this cohort"):
        sub.true_codes('genome', [0])
    with pytest.raises(ValueError, match=r"^chrom='X' has no tree sequence in this cohort"):
        partly.true_codes('X', [0])


def test_decoding_some_chromosomes_keeps_the_sample_ids(cohort):
    "from_tree_sequences(chromosomes=...) decodes only those, with the ids that all the tree sequences give."
    part = Cohort.from_tree_sequences(cohort.tree_sequences, sexes=cohort.samples.sex, seed=7, chromosomes=['2'],
                                      ambiguity_rate=0.01, missing_rate=0.02, progress=False,
                                      meta={k: v for k, v in cohort.meta.items()
                                            if k not in ('seed', 'panel_maf', 'panel_density', 'ambiguity_rate',
                                                         'missing_rate')})
    assert part.chromosomes == ['2'] and list(part.tree_sequences) == ['2']
    assert part.genotypes['2'].tobytes() == cohort.genotypes['2'].tobytes()
    pd.testing.assert_frame_equal(part.samples, cohort.samples)
    with pytest.raises(ValueError, match=r"chromosomes has \['9'\] without tree sequences; give some of"):
        Cohort.from_tree_sequences(cohort.tree_sequences, sexes=cohort.samples.sex, seed=7, chromosomes=['9'])
