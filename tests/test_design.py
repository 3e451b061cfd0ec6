"genopred_nb.design: the phenotype argument, the dosage design and its panel, the validation split and the option checks."
import numpy as np, pytest
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.encode import codes_from_strings
from genopred_nb.design import DosageDesign, phenotype_vector, panel_id, validation_split


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(300, seed=5, n_autosomes=2, length=2e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


@pytest.mark.parametrize('bad, count, first', [(np.nan, 1, 'nan'), (np.inf, 1, 'inf'), (-np.inf, 1, '-inf')])
def test_phenotype_rejects_every_non_finite_value(data, bad, count, first):
    cohort, trait = data
    y = trait.y.copy()
    y[4] = bad
    with pytest.raises(ValueError, match=rf"^y has {count} non-finite values \(NaN or ±inf; first at position 4: {first}\); "
                                         r"drop those individuals first, e.g. cohort.subset\(individuals=np.isfinite\(y\)\)$"):
        phenotype_vector(cohort, y)


def test_panel_id_names_positions_alleles_and_order(data):
    cohort, _ = data
    ident = panel_id(cohort, ['1', '2'])
    assert len(ident) == 16 and ident == panel_id(cohort.subset(individuals=np.arange(5)), ['1', '2'])
    assert ident != panel_id(cohort, ['2', '1']) and ident != panel_id(cohort, ['1'])
    other = cohort.subset(individuals=np.arange(5))
    other.variants = other.variants.assign(alleles=[a[::-1] for a in other.variants.alleles])
    assert panel_id(other, ['1', '2']) != ident


def test_design_records_its_panel(data):
    cohort, _ = data
    design = DosageDesign.fit(cohort, chromosomes=['1', '2'])
    assert design.panel == panel_id(cohort, ['1', '2'])


def test_design_rejects_a_cohort_without_a_training_chromosome(data):
    cohort, _ = data
    design = DosageDesign.fit(cohort)
    only_1 = cohort.subset(chromosomes=['1'])
    with pytest.raises(ValueError, match=r"^the cohort lacks chromosome '2', which the design was fitted on \(chromosomes \['1', '2', 'X'\]\); "
                                         r"predict on a cohort with the training panel$"):
        design.matrix(only_1)


def test_design_rejects_another_panel_with_the_same_counts(data):
    cohort, _ = data
    design = DosageDesign.fit(cohort)
    moved = cohort.subset(individuals=np.arange(20))
    moved.variants = moved.variants.assign(pos=moved.variants.pos + 1)
    with pytest.raises(ValueError, match=r"^the cohort's panel differs from the training panel \(same variant counts, other positions or "
                                         r"alleles\); predict on a cohort with the training panel, in its order$"):
        design.dot(moved, np.ones(design.n_variants))


def test_design_without_a_usable_variant_fails_at_fit(data):
    cohort, _ = data
    uncalled = cohort.subset(variants=np.arange(4), chromosomes=['1'])
    uncalled.genotypes['1'][:] = codes_from_strings(['NN'])
    with pytest.raises(ValueError, match=r"^the panel of chromosomes \['1'\] has no biallelic variant with a call in the training rows "
                                         r"\(4 no call\); fit on a cohort, rows and chromosomes with polymorphic biallelic variants$"):
        DosageDesign.fit(uncalled)


def test_validation_split():
    a, b = validation_split(10, fraction=0.3, seed=1)
    assert len(b) == 3 and not set(a) & set(b) and len(a) + len(b) == 10
    with pytest.raises(ValueError, match=r"^fraction=0.01 of 10 individuals leaves 10 for training and 0 for validation; "
                                         r"each part needs at least 1: use more individuals or another fraction$"):
        validation_split(10, fraction=0.01)
    with pytest.raises(ValueError, match=r"^validation=0.998 of 600 individuals leaves 1 for training and 599 for validation; "
                                         r"each part needs at least 10"):
        validation_split(600, fraction=0.998, minimum=10, argument='validation')
    with pytest.raises(ValueError, match=r"^fraction=1.5 must be strictly between 0 and 1"):
        validation_split(10, fraction=1.5)
