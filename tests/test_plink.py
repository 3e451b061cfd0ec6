"genopred_nb.io: the PLINK fileset, the PLINK binaries, and the baselines cross-checked against PLINK at ci scale."
import re, shutil
import numpy as np, pandas as pd, pytest
from bed_reader import open_bed
from genopred_nb.config import get_scale
from genopred_nb.encode import codes_from_strings
from genopred_nb.simulate import Cohort, simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import DosageDesign
from genopred_nb.gwas import gwas
from genopred_nb.clump import clump
from genopred_nb.io import PLINK_BINARIES, plink_binary, plink_ids, run_plink, write_bed, write_pheno

CI = get_scale('ci')


def needs_plink():
    "Skip, saying how to install, unless both PLINK binaries are on the PATH."
    for name in PLINK_BINARIES:
        if shutil.which(name) is None: pytest.skip(f"{name} is not installed: apt-get install plink1.9 plink2")


def ci_cohort(seed, **noise):
    return simulate_cohort(CI.n_individuals, seed=seed, n_autosomes=CI.n_autosomes, length=CI.length, progress=False, **noise)


# --- the fileset -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def noisy(tmp_path_factory):
    "A ci cohort with missing and ambiguous calls, written as a fileset."
    cohort = ci_cohort(5, missing_rate=0.01, ambiguity_rate=0.01)
    design = DosageDesign.fit(cohort)
    prefix = tmp_path_factory.mktemp('noisy') / 'noisy'
    return cohort, design, write_bed(cohort, prefix, design=design)


def test_write_bed_round_trip_with_missing_calls(noisy):
    cohort, design, paths = noisy
    assert {k: p.name for k, p in paths.items()} == {'bed': 'noisy.bed', 'bim': 'noisy.bim', 'fam': 'noisy.fam'}
    with open_bed(paths['bed']) as bed:
        back = bed.read(dtype='float32')
        assert list(bed.iid) == list(bed.fid) == cohort.samples.sample_id.tolist()
        assert list(bed.sex) == [1 if s == 'M' else 2 for s in cohort.samples.sex]
        assert list(bed.sid) == [f'{c}:{p}' for c, p in zip(design.variants.chrom, design.variants.pos)]
        assert list(bed.allele_1) == design.variants.minor.tolist() and list(bed.allele_2) == design.variants.major.tolist()
        assert sorted(set(bed.chromosome)) == ['1', '2', '3', 'X']
    readable = np.concatenate([c._values()[1][np.flatnonzero(c.kept)[None, :], cohort.genotypes[ch][:, c.kept]]
                               for ch, c in design.codings.items()], 1)
    dosages = np.concatenate([x for _, x in design.chunks(cohort)], 1)
    assert 0.01 < np.isnan(back).mean() < 0.05  # N calls and ambiguity codes are missing, not imputed
    np.testing.assert_array_equal(np.isnan(back), ~readable)
    np.testing.assert_array_equal(back[readable], dosages[readable])
    men_x = back[np.ix_((cohort.samples.sex == 'M').to_numpy(), (design.variants.chrom == 'X').to_numpy())]
    assert set(np.unique(men_x[~np.isnan(men_x)])) == {0.0, 2.0}


def test_write_bed_rows_and_default_design(noisy, tmp_path):
    cohort = noisy[0]
    rows = np.arange(0, cohort.n_individuals, 3)
    paths = write_bed(cohort, tmp_path / 'sub' / 'third', rows=rows)
    design = DosageDesign.fit(cohort, rows=rows)
    with open_bed(paths['bed']) as bed:
        assert list(bed.iid) == cohort.samples.sample_id.iloc[rows].tolist()
        back = bed.read(dtype='float32')
    called = ~np.isnan(back)
    assert back.shape == (len(rows), design.n_variants) and called.mean() > 0.95
    np.testing.assert_array_equal(back[called], np.concatenate([x for _, x in design.chunks(cohort, rows=rows)], 1)[called])
    other = DosageDesign.fit(cohort.subset(variants=np.arange(0, cohort.n_variants, 2)))
    with pytest.raises(ValueError, match="chromosome '1' has .* variants but the design was fitted on"):
        write_bed(cohort, tmp_path / 'bad', design=other)


def test_write_bed_and_pheno_take_a_boolean_mask(noisy, tmp_path):
    cohort, design, _ = noisy
    women = (cohort.samples.sex == 'F').to_numpy()
    paths = write_bed(cohort, tmp_path / 'women', design=design, rows=women)
    with open_bed(paths['bed']) as bed:
        assert list(bed.iid) == cohort.samples.sample_id[women].tolist()
        back = bed.read(dtype='float32')
    with open_bed(noisy[2]['bed']) as bed: everyone = bed.read(dtype='float32')
    np.testing.assert_array_equal(back, everyone[women])
    y = np.random.default_rng(1).normal(size=cohort.n_individuals)
    pheno = pd.read_csv(write_pheno(cohort, y, tmp_path / 'women.pheno', rows=women), sep='\t')
    assert pheno.IID.tolist() == cohort.samples.sample_id[women].tolist()
    np.testing.assert_array_equal(pheno.y.to_numpy(), y[women])
    with pytest.raises(ValueError, match=r"^rows is a boolean mask of length 3; give one of length 1000 or integer indices$"):
        write_bed(cohort, tmp_path / 'short', design=design, rows=np.ones(3, bool))


@pytest.mark.parametrize('bad', ['A 1', 'tab\there', 'new\nline', ''])
def test_sample_ids_plink_cannot_read_are_refused(noisy, tmp_path, bad):
    cohort, design, _ = noisy
    named = cohort.subset()
    named.samples.loc[2, 'sample_id'] = bad
    message = rf"^the cohort has 1 sample ids that PLINK cannot read, with whitespace or empty \(first {re.escape(repr(bad))}\)"
    with pytest.raises(ValueError, match=message): write_bed(named, tmp_path / 'named', design=design)
    with pytest.raises(ValueError, match=message): write_pheno(named, np.arange(named.n_individuals), tmp_path / 'named.pheno')
    assert not list(tmp_path.iterdir())  # refused before anything is written


def test_write_pheno_is_exact(noisy, tmp_path):
    cohort = noisy[0]
    y = np.random.default_rng(0).normal(size=cohort.n_individuals)
    back = pd.read_csv(write_pheno(cohort, y, tmp_path / 'y.pheno'), sep='\t')
    assert back.columns.tolist() == ['#FID', 'IID', 'y']
    np.testing.assert_array_equal(back.y.to_numpy(), y)


# --- the binaries ----------------------------------------------------------------------------------------------------

def test_plink_binary_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv('PATH', str(tmp_path))
    for name in PLINK_BINARIES:
        with pytest.raises(FileNotFoundError, match=re.escape(f"{name} is not on PATH; install it with `apt-get install plink1.9 plink2` (Debian/Ubuntu)")):
            plink_binary(name)
    with pytest.raises(ValueError, match="name='plink' is not a PLINK binary; use one of 'plink1.9', 'plink2'"):
        plink_binary('plink')


def test_run_plink_failure_quotes_the_log(tmp_path):
    needs_plink()
    with pytest.raises(RuntimeError, match=r"plink2 failed \(exit status \d+\)(.|\n)*Error: Failed to open"):
        run_plink('plink2', '--bfile', tmp_path / 'absent', '--freq', out_dir=tmp_path, out='fail')
    with pytest.raises(ValueError, match="args has --out"):
        run_plink('plink2', '--out', tmp_path / 'x', out_dir=tmp_path)


def test_plink_reads_sexes_x_and_alleles(noisy, tmp_path):
    needs_plink()
    cohort, design, paths = noisy
    run = run_plink('plink2', '--bfile', paths['bed'].with_suffix(''), '--freq', out_dir=tmp_path, out='freq')
    assert set(run.files) == {'afreq', 'log'}
    freq = pd.read_csv(run['afreq'], sep='\t')
    assert freq.ID.tolist() == plink_ids(design).tolist() and freq.ALT.tolist() == design.variants.minor.tolist()
    with open_bed(paths['bed']) as bed: called = ~np.isnan(bed.read(dtype='float32'))
    on_x = (design.variants.chrom == 'X').to_numpy()
    ploidy = np.where(cohort.samples.sex == 'M', 1, 2)  # PLINK counts one X per man: it read 'X' as its X and the .fam's sexes
    np.testing.assert_array_equal(freq.OBS_CT[on_x].to_numpy(), ploidy @ called[:, on_x])
    np.testing.assert_allclose(freq.ALT_FREQS[~on_x].to_numpy(), design.variants.maf[~on_x].to_numpy(), atol=1e-6)


# --- the baselines against PLINK -------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def crosscheck(tmp_path_factory):
    "A ci cohort without missing calls, an additive trait (h2 0.5), our GWAS and clumping, and the fileset."
    cohort = ci_cohort(3)
    trait = simulate_trait(cohort, h2=0.5, seed=3)
    design = DosageDesign.fit(cohort)
    out = tmp_path_factory.mktemp('crosscheck')
    write_bed(cohort, out / 'cohort', design=design)
    ours = gwas(cohort, trait, design=design)
    return dict(cohort=cohort, trait=trait, design=design, out=out, bfile=out / 'cohort', ids=plink_ids(design), ours=ours,
                index=clump(ours, cohort, design=design, r2=0.1, kb=250))


def test_gwas_matches_plink2_glm(crosscheck):
    needs_plink()
    c = crosscheck
    pheno = write_pheno(c['cohort'], c['trait'], c['out'] / 'y.pheno')
    # no-x-sex: PLINK 2 otherwise adds sex as a covariate on the X; its default --xchr-model 2 codes a man 0/2, as we do
    run = run_plink('plink2', '--bfile', c['bfile'], '--pheno', pheno, '--glm', 'allow-no-covars', 'no-x-sex', out_dir=c['out'], out='glm')
    theirs, ours = pd.read_csv(run['y.glm.linear'], sep='\t'), c['ours']
    assert theirs.ID.tolist() == c['ids'].tolist()
    assert theirs.A1.tolist() == ours.minor.tolist()  # PLINK counts the minor allele too
    for m in (np.ones(len(ours), bool), (ours.chrom == 'X').to_numpy()):
        assert np.corrcoef(-np.log10(theirs.P[m]), ours.log10_p[m])[0, 1] > 0.9999
        assert np.corrcoef(theirs.BETA[m], ours.beta[m])[0, 1] > 0.9999
    np.testing.assert_allclose(theirs.BETA, ours.beta, rtol=1e-4)


def plink_clump(bfile, ids, p, out, r2=0.1, kb=250):
    assoc = out / 'clump.assoc'
    pd.DataFrame({'SNP': ids, 'P': p}).to_csv(assoc, sep='\t', index=False, float_format='%.17g')
    run = run_plink('plink1.9', '--bfile', bfile, '--clump', assoc, '--clump-p1', 1, '--clump-p2', 1, '--clump-r2', r2, '--clump-kb', kb,
                    out_dir=out, out='clump')
    return set(pd.read_csv(run['clumped'], sep=r'\s+').SNP)


def test_clump_matches_plink19(crosscheck):
    needs_plink()
    c = crosscheck
    theirs = plink_clump(c['bfile'], c['ids'], c['ours'].p, c['out'])
    assert set(c['ids'][c['index']]) == theirs


def edge_cohort(n=200, seed=0):
    "Three variants on '1': v0 and v1 identical and exactly 250 kb apart, v2 far away and unlinked."
    rng = np.random.default_rng(seed)
    strings = np.array(['AA', 'AG', 'GG'])
    a, b = rng.integers(0, 3, n), rng.integers(0, 3, n)
    codes = codes_from_strings(np.stack([strings[a], strings[a], strings[b]], 1))
    variants = pd.DataFrame({'chrom': ['1'] * 3, 'pos': np.array([1_000, 251_000, 900_000]), 'alleles': [('A', 'G')] * 3, 'site': np.arange(3)})
    samples = pd.DataFrame({'sample_id': [f's{k}' for k in range(n)], 'sex': ['F'] * n})
    return Cohort({'1': codes}, variants, samples, {}, {})


def test_clump_window_edge_matches_plink19(tmp_path):
    needs_plink()
    cohort = edge_cohort()
    design = DosageDesign.fit(cohort)
    p = pd.Series([1e-5, 1e-4, 1e-3])
    write_bed(cohort, tmp_path / 'edge', design=design)
    theirs = plink_clump(tmp_path / 'edge', plink_ids(design), p, tmp_path)
    assert theirs == {'1:1000', '1:251000', '1:900000'}  # PLINK: v1 is outside v0's window
    ours = clump(design.variants.assign(p=p), cohort, design=design, r2=0.1, kb=250)
    assert set(plink_ids(design)[ours]) == theirs


def test_ct_score_matches_plink2_score(crosscheck):
    needs_plink()
    c = crosscheck
    ours, index, design = c['ours'], c['index'], c['design']
    chosen = index[ours.p.to_numpy()[index] <= 0.01]
    assert len(chosen) > 20 and (ours.chrom.to_numpy()[chosen] == 'X').any()
    weights = np.zeros(design.n_variants)
    weights[chosen] = ours.beta.to_numpy()[chosen]
    table = c['out'] / 'weights.tsv'
    pd.DataFrame({'ID': c['ids'][chosen], 'A1': ours.minor.to_numpy()[chosen], 'BETA': weights[chosen]}).to_csv(
        table, sep='\t', index=False, float_format='%.17g')
    run = run_plink('plink2', '--bfile', c['bfile'], '--score', table, 1, 2, 3, 'header', 'cols=scoresums', out_dir=c['out'], out='score')
    sums = pd.read_csv(run['sscore'], sep='\t')
    assert sums['#IID'].tolist() == c['cohort'].samples.sample_id.tolist()
    assert np.corrcoef(sums.SCORE1_SUM, design.dot(c['cohort'], weights))[0, 1] > 0.9999
