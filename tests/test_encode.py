"Property tests of the genotype codes and encoders."
import numpy as np, pytest, torch
from hypothesis import given, strategies as st
from genopred_nb.encode import (ALLELES, BASES, SYMBOL, codes_from_strings, strings_from_codes, two_hot, scalar_codes, dosage,
                                DosageCoding, code_counts)

codes = st.integers(0, 255)
code_arrays = st.lists(codes, min_size=1, max_size=64).map(lambda c: np.array(c, np.uint8))


@given(code_arrays)
def test_two_hot_sums_to_present_alleles(c):
    present = ((c >> 4) > 0).astype(int) + ((c & 15) > 0)
    np.testing.assert_allclose(two_hot(c).sum(-1), present, atol=1e-6)


@given(code_arrays)
def test_two_hot_weights_only_possible_bases(c):
    v = two_hot(c)
    for code, row in zip(c, v):
        possible = set(BASES[ALLELES[code >> 4]] + BASES[ALLELES[code & 15]])
        assert {b for b, w in zip('ACGT', row) if w > 0} == possible


@given(code_arrays)
def test_torch_and_numpy_agree(c):
    np.testing.assert_array_equal(two_hot(torch.as_tensor(c)).numpy(), two_hot(c))
    np.testing.assert_array_equal(scalar_codes(torch.as_tensor(c), scheme='purine_pyrimidine').numpy(),
                                  scalar_codes(c, scheme='purine_pyrimidine'))


@given(code_arrays)
def test_strings_round_trip(c):
    canonical = codes_from_strings(strings_from_codes(c))  # '-A' reads as 'A-': the absent copy goes second
    np.testing.assert_array_equal(two_hot(canonical), two_hot(c))
    np.testing.assert_array_equal(codes_from_strings(strings_from_codes(canonical)), canonical)


@given(st.text(alphabet='ACGTRYSWKMBDHVNI-', min_size=0, max_size=2))
def test_any_short_genotype_parses(s):
    assert codes_from_strings([s]).shape == (1,)


@given(st.text(alphabet='ACGT', min_size=3, max_size=6))
def test_three_or_more_bases_rejected(s):
    with pytest.raises(ValueError, match=rf"genotypes\[0\] = '{s}': a genotype has one or two alleles \(e.g. 'AG', 'A', '-'\), not {len(s)}"):
        codes_from_strings([s])


@given(code_arrays)
def test_scalar_codes_are_two_hot_times_values(c):
    np.testing.assert_allclose(scalar_codes(c), two_hot(c) @ np.array([0, 1, 2, 3]), atol=1e-6)


@given(st.lists(st.sampled_from(['AA', 'AG', 'GG', 'A', 'G', 'N', 'R', '-']), min_size=2, max_size=40))
def test_dosage_counts_minor_allele(column):
    c = codes_from_strings(np.array(column)[:, None])
    x, coding = dosage(c)
    if not coding.kept[0]: return
    minor = 'ACGT'[coding.minor[0] - 1]
    called = [s for s in column if s not in ('N', 'R', '-')]
    expected = [s.count(minor) * (2 if len(s) == 1 else 1) for s in called]
    np.testing.assert_allclose(x[[i for i, s in enumerate(column) if s in called], 0], expected)
    np.testing.assert_allclose(x[[i for i, s in enumerate(column) if s not in called], 0], np.mean(expected), rtol=1e-6)


def test_code_counts_matches_naive():
    rng = np.random.default_rng(0)
    c = rng.integers(0, 256, (4000, 9000), dtype=np.uint8)  # counted in three blocks
    counts = code_counts(c)
    for j in (0, 4321, 8999): assert counts[j, c[7, j]] == (c[:, j] == c[7, j]).sum()
    assert (counts.sum(1) == 4000).all()


def test_dosage_errors():
    c = codes_from_strings([['AG', 'AA'], ['GG', 'AG']])
    coding = DosageCoding.fit(c)
    with pytest.raises(ValueError, match="codes has 1 variants but the coding was fitted on 2; encode the same variants"):
        coding(c[:, :1])


def test_dosage_reads_only_reference_alleles():
    ref = codes_from_strings([['AA'], ['AG'], ['GG'], ['AA']])
    x, coding = dosage(codes_from_strings([['CC'], ['AC'], ['GT'], ['GG']]), reference=ref)
    np.testing.assert_allclose(x[:, 0], [coding.mean[0]] * 3 + [2])


def test_code_counts_checks_its_arguments():
    codes = codes_from_strings([['AG', 'CC'], ['AG', 'CT']])
    with pytest.raises(ValueError, match=r"^rows must be indices in 0..1 or a boolean mask of length 2$"):
        code_counts(codes, rows=[5])
    with pytest.raises(TypeError, match=r"^codes has dtype int64; genotype codes are uint8$"):
        code_counts(codes.astype(np.int64))
    np.testing.assert_array_equal(code_counts(codes, rows=np.array([True, False])), code_counts(codes[:1]))


# --- what counts as a code, and as a genotype string -----------------------------------------------------------------

@pytest.mark.parametrize('codes, error, message', [
    (np.array([17.0, 3.0]), TypeError, r"^codes has dtype float64; genotype codes are uint8, or integers in 0\.\.255"),
    (np.array([17, np.nan]), TypeError, r"^codes has dtype float64"),
    (np.array([True, False]), TypeError, r"^codes has dtype bool"),
    (np.array([-1, 3]), ValueError, r"^codes has values from -1 to 3; genotype codes are bytes 0\.\.255"),
    (torch.tensor([-1, 3]), ValueError, r"^codes has values from -1 to 3; genotype codes are bytes 0\.\.255"),
    (torch.tensor([300], dtype=torch.int16), ValueError, r"^codes has values from 300 to 300"),
    (torch.tensor([1.0]), TypeError, r"^codes has dtype torch.float32; genotype codes are uint8"),
    (torch.tensor([True]), TypeError, r"^codes has dtype torch.bool"),
])
def test_encoders_take_only_byte_codes(codes, error, message):
    for encode in (two_hot, scalar_codes, strings_from_codes):
        with pytest.raises(error, match=message): encode(codes)


def test_integer_codes_within_a_byte_are_codes():
    c = np.array([17, 0, 255, 68])
    np.testing.assert_array_equal(two_hot(c), two_hot(c.astype(np.uint8)))
    np.testing.assert_array_equal(two_hot(torch.tensor(c)).numpy(), two_hot(c.astype(np.uint8)))
    np.testing.assert_array_equal(two_hot(torch.tensor(c, dtype=torch.uint8)).numpy(), two_hot(c.astype(np.uint8)))


@pytest.mark.parametrize('s', ['ß', 'ǅ', 'ａ', 'Aß'])
def test_non_ascii_letters_are_not_alleles(s):
    bad = next(c for c in s if not c.isascii())
    with pytest.raises(ValueError, match=f"^genotypes\\[0\\] = '{s}': '{bad}' is not an allele symbol"): codes_from_strings([s])


def test_na_is_a_missing_call():
    "'NA' (R's and pandas' missing value, also 'N/A', any case) is a missing call N/N; one allele missing is written 'AN'."
    nn = codes_from_strings(['NN'])[0]
    np.testing.assert_array_equal(codes_from_strings(['NA', 'na', 'N/A', 'n|a', 'Na']), [nn] * 5)
    half = codes_from_strings(['AN', 'A/N'])
    np.testing.assert_allclose(two_hot(half), [[1.25, .25, .25, .25]] * 2)
    np.testing.assert_array_equal(strings_from_codes(half), ['AN', 'AN'])
    mixed = (SYMBOL['N'] << 4) | SYMBOL['A']  # N then A, as a code: written known allele first
    assert strings_from_codes(np.array([mixed], np.uint8))[0] == 'AN'


def test_every_code_is_written_as_a_string_that_reads_back_to_it():
    c = np.arange(256, dtype=np.uint8)
    s = strings_from_codes(c)
    assert 'NA' not in s
    np.testing.assert_array_equal(two_hot(codes_from_strings(s)), two_hot(c))
    np.testing.assert_array_equal(strings_from_codes(codes_from_strings(s)), s)


symbols = st.sampled_from(list('ACGTRYSWKMBDHVNI-') + list('acgtryswkmbdhvni'))
genotype_strings = st.tuples(symbols, st.sampled_from(['', '/', '|']), st.one_of(st.just(''), symbols)).map(''.join)


@given(st.lists(genotype_strings, min_size=1, max_size=32))
def test_genotype_strings_round_trip(strings):
    "A valid genotype string reads to a code whose string reads back to the same code, and means the same."
    codes = codes_from_strings(strings)
    written = strings_from_codes(codes)
    np.testing.assert_array_equal(two_hot(codes_from_strings(written)), two_hot(codes))
    np.testing.assert_array_equal(strings_from_codes(codes_from_strings(written)), written)


@given(st.lists(st.text(alphabet='ACGTacgt', min_size=1, max_size=2), min_size=1, max_size=32))
def test_base_calls_are_written_as_read(strings):
    np.testing.assert_array_equal(strings_from_codes(codes_from_strings(strings)), [s.upper() for s in strings])
