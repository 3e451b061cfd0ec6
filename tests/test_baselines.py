"GWAS, clumping and the classical scores: behaviour, agreement with scikit-learn, errors."
import numpy as np, pandas as pd, pytest
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.baselines import (DosageDesign, gwas, clump, validation_split, PThreshold, ClumpThreshold,
                                   LassoPRS, RidgePRS, phenotype_vector)


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


@pytest.mark.parametrize('make, message', [
    (lambda c, t: t.y[:-1], r"^y has shape \(599,\) but the cohort has 600 individuals; give one value per individual, in cohort.samples order$"),
    (lambda c, t: np.r_[np.nan, t.y[1:]], r"^y has 1 NaN values \(first at position 0\); drop those individuals first, e.g. cohort.subset\(individuals=~np.isnan\(y\)\)$"),
    (lambda c, t: np.full(600, 2.5), r"^y is constant \(every value is 2.5\); a predictor needs a phenotype that varies$"),
    (lambda c, t: pd.Series(t.y, index=[f'x{i}' for i in range(600)]),
     r"^y and the cohort are from different sample sets: 600 of the cohort's 600 samples are not in y \(first 's0'\); give y for this cohort's samples$"),
])
@pytest.mark.parametrize('model', [PThreshold, ClumpThreshold, LassoPRS, RidgePRS])
def test_fit_rejects_bad_phenotypes(data, make, message, model):
    cohort, trait = data
    with pytest.raises(ValueError, match=message): model().fit(cohort, make(cohort, trait))


@pytest.mark.parametrize('model', [PThreshold, ClumpThreshold, LassoPRS, RidgePRS])
def test_same_seed_same_predictions_and_predictive(data, model):
    cohort, trait = data
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    a, b = (model(seed=3).fit(train, trait).predict(test) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    assert np.corrcoef(a, trait.y[480:])[0, 1] > 0.2


def test_predict_before_fit(data):
    with pytest.raises(RuntimeError, match=r"^this LassoPRS is not fitted yet; call fit\(cohort, y\) first$"):
        LassoPRS().predict(data[0])


def test_logistic_gwas_matches_sklearn(data):
    from sklearn.linear_model import LogisticRegression
    cohort, _ = data
    case = simulate_trait(cohort, h2=0.6, seed=5, n_causal=20, prevalence=0.3)
    design = DosageDesign.fit(cohort)
    res = gwas(cohort, case, design=design, covariates='sex')
    j = int(res.p.idxmin())
    x = design.matrix(cohort)[:, j]
    sex = (cohort.samples.sex == 'M').to_numpy(float)
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(np.c_[sex, x], case.y)
    assert abs(fit.coef_[0, 1] - res.beta[j]) < 1e-5


def test_linear_gwas_with_sex_matches_least_squares(data):
    cohort, trait = data
    design = DosageDesign.fit(cohort)
    res = gwas(cohort, trait, design=design, covariates='sex')
    x = design.matrix(cohort).astype(float)
    sex = (cohort.samples.sex == 'M').to_numpy(float)
    for j in (0, 7, int(res.p.idxmin())):
        d = np.c_[np.ones(600), sex, x[:, j]]
        coef, rss = np.linalg.lstsq(d, trait.y, rcond=None)[:2]
        se = np.sqrt(rss[0] / (600 - 3) * np.linalg.inv(d.T @ d)[2, 2])
        np.testing.assert_allclose([res.beta[j], res.se[j]], [coef[2], se], rtol=1e-8)


def test_clump_index_variants_are_not_linked(data):
    "No two index variants within the window have haplotype r² above the threshold (tables counted here with NumPy)."
    from genopred_nb.baselines import _haplotype_r2
    cohort, trait = data
    design = DosageDesign.fit(cohort, chromosomes=['1', '2'])
    res = gwas(cohort, trait, design=design)
    index = clump(res, cohort, design=design, r2=0.2, kb=100)
    x = design.matrix(cohort)[:, index].round().astype(int)
    pos, chrom = res.pos.to_numpy()[index], res.chrom.to_numpy()[index]
    for a in range(len(index)):
        for b in np.flatnonzero((chrom == chrom[a]) & (np.abs(pos - pos[a]) < 100_000) & (np.arange(len(index)) > a)):
            n = np.array([[np.sum((x[:, a] == i) & (x[:, b] == j)) for j in range(3)] for i in range(3)], float)
            haplotypes = (2 * n[2, 2] + n[2, 1] + n[1, 2], 2 * n[2, 0] + n[2, 1] + n[1, 0], 2 * n[0, 2] + n[1, 2] + n[0, 1], 2 * n[0, 0] + n[1, 0] + n[0, 1])
            assert _haplotype_r2(*haplotypes, n[1, 1]) <= 0.2


def test_validation_split():
    a, b = validation_split(10, fraction=0.3, seed=1)
    assert len(b) == 3 and not set(a) & set(b) and len(a) + len(b) == 10
    with pytest.raises(ValueError, match=r"^fraction=0.01 of 10 individuals leaves an empty part; use more individuals or another fraction$"):
        validation_split(10, fraction=0.01)


def test_gwas_with_an_empty_chromosome(data):
    cohort, trait = data
    only_1 = cohort.subset(variants=(cohort.variants.chrom == '1').to_numpy())
    res = gwas(only_1, trait)
    assert set(res.chrom) == {'1'} and res.p.notna().all()


def test_nan_p_never_indexes_a_clump(data):
    cohort, trait = data
    design = DosageDesign.fit(cohort)
    res = gwas(cohort, trait, design=design)
    res.loc[res.p.idxmin(), 'p'] = np.nan
    index = clump(res, cohort, design=design)
    assert res.p.iloc[index].notna().all()


def test_rows_are_checked(data):
    cohort, trait = data
    with pytest.raises(ValueError, match=r"^rows has indices outside 0..599; there are 600$"):
        gwas(cohort, trait, rows=np.array([0, 1, 700]))
    mask = np.arange(600) < 300
    np.testing.assert_array_equal(gwas(cohort, trait, rows=mask).p, gwas(cohort, trait, rows=np.flatnonzero(mask)).p)


@pytest.mark.parametrize('call, message', [
    (lambda c, t, d: gwas(c, t, binary=True),
     r"^binary=True needs a 0/1 phenotype, but y has other values \(e.g. .+\); leave binary=None for a quantitative trait$"),
    (lambda c, t, d: gwas(c, t, covariates=np.ones(7)),
     r"^covariates has 7 values, not a multiple of the cohort's 600 individuals; give an array \(n_individuals, k\)$"),
    (lambda c, t, d: gwas(c, t, covariates='age'), r"^covariates='age' is not a covariate; use 'sex' or an array \(n_individuals, k\)$"),
    (lambda c, t, d: gwas(c, np.r_[np.ones(10), t.y[10:]], rows=np.arange(10)),
     r"^y is constant in the rows given; a GWAS needs a phenotype that varies$"),
    (lambda c, t, d: clump(gwas(c, t, design=d), c, design=d, kb=0),
     r"^kb=0 must be positive: the window half-width in kb, as PLINK's --clump-kb \(250 is usual\)$"),
    (lambda c, t, d: clump(gwas(c, t, design=d).iloc[:5], c, design=d),
     r"^sumstats has 5 rows but the design has \d+ variants; clump the GWAS of this design$"),
    (lambda c, t, d: d.matrix(c.subset(variants=np.arange(10))),
     r"^chromosome '1' has 10 variants but the design was fitted on \d+; use a cohort with the same panel$"),
])
def test_baseline_errors(data, call, message):
    cohort, trait = data
    with pytest.raises(ValueError, match=message): call(cohort, trait, DosageDesign.fit(cohort))
