"genopred_nb.read: VCF and PLINK files in, sexes from the X, phenotypes by sample id; errors name file, record, fix."
import gzip
import numpy as np, pandas as pd, pytest
from hypothesis import given, strategies as st
from genopred_nb.encode import ABSENT, MISSING, strings_from_codes
from genopred_nb.simulate import Cohort, simulate_cohort
from genopred_nb.design import DosageDesign
from genopred_nb.io import write_bed, write_vcf
from genopred_nb.read import call_codes, read_phenotype, x_inbreeding, _sexes, _given_sexes
from genopred_nb.store import allele_indices

SAMPLE_VCF = 'tests/data/sample.vcf'  # the VCF 4.0 specification's example, as scikit-allel 1.3.13 ships it (MIT)


@pytest.fixture(scope='module')
def cohort():
    return simulate_cohort(300, seed=5, n_autosomes=2, length=4e5, progress=False)


@pytest.fixture(scope='module')
def vcfs(cohort, tmp_path_factory):
    d = tmp_path_factory.mktemp('vcf')
    return [write_vcf(cohort, c, d / f'{c}.vcf.gz') for c in cohort.chromosomes]


def test_gzipped_vcfs_read_back_to_the_codes(cohort, vcfs):
    back = Cohort.from_vcf(vcfs, progress=False)
    assert back.chromosomes == cohort.chromosomes
    for c in cohort.chromosomes: np.testing.assert_array_equal(back.genotypes[c], cohort.genotypes[c])
    pd.testing.assert_frame_equal(back.samples, cohort.samples)
    assert (back.variants.alleles.map(len) > 2).any() and back.dropped.empty


def test_missing_calls_read_as_n(cohort, vcfs, tmp_path):
    "A diploid call '.' or './.' reads as NN, a man's haploid '.' as a haploid N."
    lines = gzip.open(vcfs[0], 'rt').read().splitlines(True)
    first = next(k for k, l in enumerate(lines) if not l.startswith('#'))
    fields = lines[first].rstrip('\n').split('\t')
    fields[9], fields[10] = './.', '.'
    lines[first] = '\t'.join(fields) + '\n'
    x = gzip.open(vcfs[2], 'rt').read().splitlines(True)
    men = np.flatnonzero(cohort.samples.sex == 'M')
    header = next(l for l in x if l.startswith('#CHROM')).split()[9:]
    column = header.index(cohort.samples.sample_id[men[0]])
    row = next(k for k, l in enumerate(x) if not l.startswith('#'))
    fields = x[row].rstrip('\n').split('\t'); fields[9 + column] = '.'
    x[row] = '\t'.join(fields) + '\n'
    (tmp_path / '1.vcf').write_text(''.join(lines)); (tmp_path / 'X.vcf').write_text(''.join(x))
    back = Cohort.from_vcf([tmp_path / '1.vcf', vcfs[1], tmp_path / 'X.vcf', vcfs[3]], progress=False)
    expected = cohort.genotypes['1'].copy()
    expected[:2, 0] = MISSING << 4 | MISSING
    np.testing.assert_array_equal(back.genotypes['1'], expected)
    x_expected = cohort.genotypes['X'].copy()
    x_expected[men[0], 0] = MISSING << 4 | ABSENT
    np.testing.assert_array_equal(back.genotypes['X'], x_expected)


def test_a_vcf_written_elsewhere_reads_with_its_drops():
    c = Cohort.from_vcf(SAMPLE_VCF, sexes={'NA00001': 'M', 'NA00002': 'F', 'NA00003': 'F'}, progress=False)
    assert c.chromosomes == ['19', '20'] and c.n_variants == 7
    assert c.dropped[['chrom', 'pos', 'reason']].values.tolist() == [['20', 1234567, 'indel'], ['X', 10, 'indel']]
    assert strings_from_codes(c.genotypes['20'][:, 2]).tolist() == ['GT', 'TG', 'TT']


def test_a_truncated_gzip_is_refused_with_its_file(vcfs, tmp_path):
    data = open(vcfs[0], 'rb').read()
    (tmp_path / 'cut.vcf.gz').write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.vcf\.gz: record [\d,]+ \(after 1:[\d,]+\) cannot be read .*bgzip -t"):
        Cohort.from_vcf(tmp_path / 'cut.vcf.gz', progress=False)


@pytest.mark.parametrize('body, message', [
    ('1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/1/1\t0\n', r'record 1 \(1:5\) has ploidy 3; give haploid or diploid calls'),
    ('1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/x\t0\n', r'record 1 cannot be read .*a GT that is not allele numbers'),
    ('1\t5\t.\tA\tG\t.\t.\t.\tGT\t0|1\t0\n2\t5\t.\tA\tG\t.\t.\t.\tGT\t0|1\t0\n1\t6\t.\tA\tG\t.\t.\t.\tGT\t0|1\t0\n',
     r'record 3 \(1:6\): chromosome 1 appears again after other chromosomes; sort the file first'),
])
def test_bad_records_are_refused_with_file_record_and_fix(tmp_path, body, message):
    head = ('##fileformat=VCFv4.2\n##contig=<ID=1>\n##contig=<ID=2>\n'
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n')
    path = tmp_path / 'bad.vcf'
    path.write_text(head + '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\n' + body)
    with pytest.raises(ValueError, match='bad.vcf: ' + message):
        Cohort.from_vcf(path, sexes={'a': 'F', 'b': 'F'}, progress=False)


def test_samples_must_match_across_files(cohort, vcfs, tmp_path):
    drop = cohort.samples.sample_id[0]
    rows = [l.split('\t') for l in gzip.open(vcfs[1], 'rt').read().splitlines()]
    column = next(r for r in rows if r[0] == '#CHROM').index(drop)
    lines = ['\t'.join(r if r[0].startswith('##') else r[:column] + r[column + 1:]) for r in rows]
    (tmp_path / '2.vcf').write_text('\n'.join(lines) + '\n')
    message = rf"1 samples are not in .*2\.vcf \(chromosome 2; first '{drop}'\).*bcftools merge"
    with pytest.raises(ValueError, match=message):
        Cohort.from_vcf([vcfs[0], tmp_path / '2.vcf'], sexes=dict(zip(cohort.samples.sample_id, cohort.samples.sex)),
                        progress=False)


def test_ambiguous_sexes_are_listed(cohort, tmp_path):
    "Men written as diploid homozygotes and women with long runs of homozygosity: F decides, some are ambiguous."
    g = cohort.genotypes['X']
    diploid = np.where((g & 15) == 0, g | (g >> 4), g)
    x = x_inbreeding(diploid)
    assert (x.F[(cohort.samples.sex == 'M').to_numpy()].round(9) == 1).all()
    ambiguous = cohort.samples.sample_id[(x.F > 0.2) & (x.F < 0.8)]
    ids = cohort.samples.sample_id.tolist()
    assert len(ambiguous)  # a 0.4 Mb X: some women's two copies share an ancestor over most of it
    with pytest.raises(ValueError, match=rf"{len(ambiguous)} samples have an X inbreeding coefficient F between .*"
                                         rf"{ambiguous.iloc[0]} \(F .*give their sexes with sexes="):
        _sexes({'X': diploid}, ids, _given_sexes(None, ids))
    given = _given_sexes(dict(zip(ambiguous, ['F'] * len(ambiguous))), ids)
    sexes = _sexes({'X': diploid}, ids, given)
    assert (sexes[(x.F < 0.2).to_numpy()] == 'F').all() and (sexes[(x.F > 0.8).to_numpy()] == 'M').all()


def test_plink_round_trip_with_missing_calls(tmp_path):
    noisy = simulate_cohort(300, seed=6, n_autosomes=1, length=4e5, missing_rate=0.02, progress=False)
    write_bed(noisy, tmp_path / 'c')
    back = Cohort.from_plink(tmp_path / 'c', progress=False)
    design = DosageDesign.fit(noisy)
    unphased = lambda g: np.minimum(g >> 4, g & 15) << 4 | np.maximum(g >> 4, g & 15) * ((g & 15) > 0)
    for c in back.chromosomes:
        kept = design.codings[c].kept
        np.testing.assert_array_equal(unphased(back.genotypes[c]), unphased(noisy.genotypes[c][:, kept]))
    pd.testing.assert_frame_equal(back.samples, noisy.samples)
    fam = (tmp_path / 'c.fam').read_text().splitlines()
    (tmp_path / 'c.fam').write_text('\n'.join([fam[1]] + fam[1:]) + '\n')
    with pytest.raises(ValueError, match=r"c\.fam has duplicate sample ids"):
        Cohort.from_plink(tmp_path / 'c', progress=False)


def test_phenotype_files_by_sample_id(cohort, tmp_path):
    ids = cohort.samples.sample_id
    pd.DataFrame({'IID': ids[:-1], 'y': np.arange(len(ids) - 1.0)}).to_csv(tmp_path / 'y.csv', index=False)
    with pytest.raises(ValueError, match=r"0 in the file and not the cohort \[\], 1 in the cohort and not the file"):
        read_phenotype(tmp_path / 'y.csv', cohort=cohort)
    pd.DataFrame({'IID': list(ids[:2]) * 2, 'y': [1.0] * 4}).to_csv(tmp_path / 'dup.csv', index=False)
    with pytest.raises(ValueError, match='dup.csv has duplicate sample ids'): read_phenotype(tmp_path / 'dup.csv')
    pd.DataFrame({'name': ids, 'y': 1.0}).to_csv(tmp_path / 'noid.csv', index=False)
    with pytest.raises(ValueError, match='noid.csv has no sample-id column .* name it one of IID'):
        read_phenotype(tmp_path / 'noid.csv')


@given(st.lists(st.sampled_from('ACGT'), min_size=1, max_size=4, unique=True), st.data())
def test_calls_to_codes_and_back(alleles, data):
    "call_codes and allele_indices are inverse on valid calls (diploid, haploid, missing)."
    k = len(alleles)
    first = data.draw(st.lists(st.integers(-1, k - 1), min_size=1, max_size=20))
    second = [data.draw(st.integers(-2, k - 1)) for _ in first]
    calls = np.array([first, second]).T
    codes = call_codes(calls, alleles)
    back = allele_indices(codes[:, None], [tuple(alleles)])[0]
    np.testing.assert_array_equal(back, calls)


def test_a_bcf_reads_as_its_vcf(cohort, vcfs, tmp_path):
    import cyvcf2
    source = cyvcf2.VCF(str(vcfs[0]))
    out = cyvcf2.Writer(str(tmp_path / '1.bcf'), source, mode='wb')
    for record in source: out.write_record(record)
    out.close()
    back = Cohort.from_vcf(tmp_path / '1.bcf', sexes=dict(zip(cohort.samples.sample_id, cohort.samples.sex)),
                           progress=False)
    np.testing.assert_array_equal(back.genotypes['1'], cohort.genotypes['1'])


def test_an_indexed_vcf_reads_the_same_by_parts_in_processes(cohort, tmp_path):
    "The autosomes in one bgzipped, indexed VCF, read by two processes in ranges (X and Y whole): the same codes."
    pysam = pytest.importorskip('pysam')
    texts = [open(write_vcf(cohort, c, tmp_path / f'{c}.vcf')).read().splitlines(True) for c in cohort.chromosomes]
    head = [l for t in texts[:2] for l in t if l.startswith('##contig')]
    body = [l for t in texts[:2] for l in t if not l.startswith('#')]  # the X file lists its samples in another order
    first = [l for l in texts[0] if l.startswith('#') and not l.startswith('##contig')]
    (tmp_path / 'all.vcf').write_text(''.join(first[:-1] + head + first[-1:] + body))
    indexed = pysam.tabix_index(str(tmp_path / 'all.vcf'), preset='vcf', force=True)
    sexes = dict(zip(cohort.samples.sample_id, cohort.samples.sex))
    one, two = (Cohort.from_vcf([indexed, tmp_path / 'X.vcf', tmp_path / 'Y.vcf'], sexes=sexes, workers=w,
                                    progress=False) for w in (1, 2))
    for c in cohort.chromosomes:
        np.testing.assert_array_equal(two.genotypes[c], cohort.genotypes[c])
        np.testing.assert_array_equal(one.genotypes[c], cohort.genotypes[c])
    pd.testing.assert_frame_equal(two.variants, one.variants)
    with pytest.raises(ValueError, match=r"workers=0 is not a whole number >= 1; give workers=1"):
        Cohort.from_vcf(indexed, workers=0, progress=False)


def _indexed(path, contigs, records, *, csi=False):
    "A bgzipped, indexed VCF of two samples: `contigs` (name, length) in its header, `records` (chrom, pos, ref, alt)."
    pysam = pytest.importorskip('pysam')
    head = ['##fileformat=VCFv4.2', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
    head += [f'##contig=<ID={c},length={n}>' for c, n in contigs]
    head += ['\t'.join(['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', 'a', 'b'])]
    body = [f'{c}\t{p}\t.\t{r}\t{a}\t.\t.\t.\tGT\t0/1\t1/1' for c, p, r, a in records]
    path.write_text('\n'.join(head + body) + '\n')
    return pysam.tabix_index(str(path), preset='vcf', force=True, csi=csi)


RECORDS = [('chr2', 5, 'A', 'G'), ('chr2', 60, 'C', 'T'), ('chr1', 10, 'G', 'A'), ('chr1', 49, 'ACGT', 'A'),
           ('chr1', 51, 'T', 'C'), ('chr1', 70, 'A', 'C')]  # chr2 before chr1; an indel across chr1's range edge


@pytest.mark.parametrize('kind', ['tbi', 'csi', 'bcf'])
def test_parts_keep_file_order_and_record_numbers(tmp_path, kind):
    pysam = pytest.importorskip('pysam')
    path = _indexed(tmp_path / 'a.vcf', [('chr1', 100), ('chr2', 100)], RECORDS, csi=kind == 'csi')
    if kind == 'bcf':  # a BCF numbers contigs by the header (chr1 first) while the file holds chr2 first
        vcf = pysam.VariantFile(path)
        with pysam.VariantFile(tmp_path / 'a.bcf', 'wb', header=vcf.header) as out:
            for record in vcf: out.write(record)
        import pysam.bcftools; pysam.bcftools.index(str(tmp_path / 'a.bcf')); path = tmp_path / 'a.bcf'
    one, two = (Cohort.from_vcf(path, sexes={'a': 'F', 'b': 'F'}, workers=w, progress=False) for w in (1, 2))
    pd.testing.assert_frame_equal(two.variants, one.variants)
    pd.testing.assert_frame_equal(two.dropped, one.dropped)
    assert two.dropped.record.tolist() == [4] and one.variants.site.tolist() == [2, 4, 5, 0, 1]


def test_a_file_changed_since_its_index_is_refused(tmp_path):
    "htslib ends a region quietly where the data no longer match the index: the index's counts catch it."
    pysam = pytest.importorskip('pysam')
    path = _indexed(tmp_path / 'a.vcf', [('chr1', 100), ('chr2', 100)], RECORDS)
    _indexed(tmp_path / 'b.vcf', [('chr1', 100), ('chr2', 100)], RECORDS[:3])
    (tmp_path / 'b.vcf.gz').replace(path)  # a.vcf.gz now holds three records; its .tbi still lists six
    message = r"a.vcf.gz: its index lists 4 records on chr1 but 1 were read.*index it again"
    with pytest.raises(ValueError, match=message):
        Cohort.from_vcf(path, sexes={'a': 'F', 'b': 'F'}, workers=2, progress=False)


def test_one_chromosome_under_two_names_is_refused(tmp_path):
    path = _indexed(tmp_path / 'a.vcf', [('chr1', 100), ('1', 100)], [('chr1', 5, 'A', 'G'), ('1', 6, 'A', 'G')])
    with pytest.raises(ValueError, match=r"names chromosome 1 twice \(chr1 and 1\); give it one name"):
        Cohort.from_vcf(path, sexes={'a': 'F', 'b': 'F'}, workers=2, progress=False)


def test_a_record_at_position_0_is_kept_by_parts(tmp_path):
    path = _indexed(tmp_path / 'a.vcf', [('chr1', 100)], [('chr1', 0, 'A', 'G'), ('chr1', 80, 'C', 'T')])
    two = Cohort.from_vcf(path, sexes={'a': 'F', 'b': 'F'}, workers=2, progress=False)
    assert two.variants.pos.tolist() == [0, 80]
