"genopred_nb.gwas and genopred_nb.clump: agreement with least squares, scikit-learn and PLINK's rules; covariates, separation, errors."
import warnings
import numpy as np, pytest
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import DosageDesign
from genopred_nb.gwas import gwas
from genopred_nb.clump import clump, _haplotype_r2


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


def test_logistic_gwas_matches_sklearn(data):
    from sklearn.linear_model import LogisticRegression
    cohort, _ = data
    case = simulate_trait(cohort, h2=0.6, seed=5, n_causal=20, prevalence=0.3)
    design = DosageDesign.fit(cohort)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # rare variants carried by cases only are separated: NaN, with a warning
        res = gwas(cohort, case, design=design, covariates='sex')
    j = int(res.p.idxmin())
    x = design.matrix(cohort)[:, j]
    sex = (cohort.samples.sex == 'M').to_numpy(float)
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(np.c_[sex, x], case.y)
    assert abs(fit.coef_[0, 1] - res.beta[j]) < 1e-5


def test_logistic_gwas_separated_variant_is_nan_with_a_warning(data):
    cohort, _ = data
    design = DosageDesign.fit(cohort)
    x = design.matrix(cohort)
    j = int(np.argmin(np.abs(design.variants.maf.to_numpy() - 0.3)))
    case = (x[:, j] > 0).astype(float)  # the carriers of variant j are exactly the cases
    with pytest.warns(UserWarning, match=r"^\d+ of [\d,]+ variants separate cases from controls or have a singular information matrix; "
                                         r"their beta, se, stat and p are NaN \(PLINK 2 reports NA\)$"):
        res = gwas(cohort, case, design=design)
    assert res.loc[j, ['beta', 'se', 'stat', 'p', 'log10_p']].isna().all()
    assert res.p.notna().mean() > 0.5


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


@pytest.mark.parametrize('binary', [False, True])
def test_sex_covariate_in_one_sex_is_a_clear_error(data, binary):
    cohort, trait = data
    men = np.flatnonzero(cohort.samples.sex == 'M')
    y = (trait.y > np.median(trait.y)).astype(float) if binary else trait.y
    with pytest.raises(ValueError, match=r"^covariates='sex' are collinear with the intercept \(all individuals 'M'\); "
                                         r"drop them \(covariates=None\) for individuals of one sex$"):
        gwas(cohort, y, rows=men, covariates='sex')


def test_collinear_covariates_and_too_few_individuals(data):
    cohort, trait = data
    age = np.arange(600.)
    with pytest.raises(ValueError, match=r"^covariates are collinear: with the intercept their 3 columns have rank 2 in the rows used; "
                                         r"drop the redundant columns$"):
        gwas(cohort, trait, covariates=np.c_[age, 2 * age])
    with pytest.raises(ValueError, match=r"^3 individuals are too few for 3 parameters per variant \(intercept, 1 covariates, the dosage\); "
                                         r"use more individuals or fewer covariates$"):
        gwas(cohort, trait, rows=np.arange(3), covariates='sex')


def test_clump_index_variants_are_not_linked(data):
    "No two index variants within the window have haplotype r² above the threshold (tables counted here with NumPy)."
    cohort, trait = data
    design = DosageDesign.fit(cohort, chromosomes=['1', '2'])
    res = gwas(cohort, trait, design=design)
    index = clump(res, cohort, design=design, r2=0.2, kb=100)
    x = design.matrix(cohort)[:, index].round().astype(int)
    pos, chrom = res.pos.to_numpy()[index], res.chrom.to_numpy()[index]
    for a in range(len(index)):
        for b in np.flatnonzero((chrom == chrom[a]) & (np.abs(pos - pos[a]) < 100_000) & (np.arange(len(index)) > a)):
            n = np.array([[np.sum((x[:, a] == i) & (x[:, b] == j)) for j in range(3)] for i in range(3)], float)
            haplotypes = (2 * n[2, 2] + n[2, 1] + n[1, 2], 2 * n[2, 0] + n[2, 1] + n[1, 0], 2 * n[0, 2] + n[1, 2] + n[0, 1],
                          2 * n[0, 0] + n[1, 0] + n[0, 1])
            assert _haplotype_r2(*haplotypes, n[1, 1]) <= 0.2


def test_clump_needs_sorted_positions(data):
    cohort, trait = data
    design = DosageDesign.fit(cohort)
    res = gwas(cohort, trait, design=design)
    pos = design.variants.pos.to_numpy().copy()
    first_2 = np.flatnonzero(design.variants.chrom.to_numpy() == '2')
    pos[first_2[[3, 4]]] = pos[first_2[[4, 3]]]
    unsorted = DosageDesign(design.codings, design.variants.assign(pos=pos), design.panel)
    with pytest.raises(ValueError, match=rf"^the variants of chromosome '2' are not sorted by position \(position {pos[first_2[4]]:,} "
                                         rf"follows {pos[first_2[3]]:,}\); clumping needs genomic order"):
        clump(res, cohort, design=unsorted)


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
    (lambda c, t, d: gwas(c.subset(chromosomes=['1', '2']), t, design=d),
     r"^the cohort lacks chromosome 'X', which the design was fitted on"),
])
def test_gwas_and_clump_errors(data, call, message):
    cohort, trait = data
    with pytest.raises(ValueError, match=message): call(cohort, trait, DosageDesign.fit(cohort))
