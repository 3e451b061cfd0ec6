"genopred_nb.gblup: KernelGBLUP as a scikit-learn estimator, its agreement with GBLUP (RidgePRS), REML, the D kernel."
import numpy as np, pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.ridge import RidgePRS
from genopred_nb.gblup import KernelGBLUP, KERNELS, reml


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


@pytest.fixture(scope='module')
def halves(data):
    cohort, _ = data
    return cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))


def test_clone_and_options_stored_unchanged():
    options = dict(kernels=['A', 'AD'], max_iter=20, tol=1e-3, validation=0.25, seed=2)
    est = KernelGBLUP(**options)
    for name, value in options.items(): assert getattr(est, name) is value
    copy = clone(est)
    assert copy.get_params() == est.get_params() and copy is not est
    assert KernelGBLUP().set_params(**options).get_params() == est.get_params()
    assert repr(KernelGBLUP()) == 'KernelGBLUP()' and KernelGBLUP().kernels == ('A', 'D', 'AA')


def test_fitted_state(data):
    cohort, trait = data
    model = KernelGBLUP(kernels=('A', 'D', 'AA', 'AD', 'DD'), validation=0.25).fit(cohort, trait)
    assert model.n_fit_ == 450 and model.design_.panel
    vc = model.variance_components_
    assert list(vc.index) == [*KERNELS, 'residual'] and (vc > 0).all()
    assert list(model.path_.columns) == ['iteration', 'loglik', *KERNELS, 'residual']
    assert np.all(np.diff(model.path_.loglik) >= -1e-6 * abs(model.path_.loglik.iloc[0]))  # REML never falls
    assert 0 <= model.val_r2_ <= 1


@pytest.mark.parametrize('options, message', [
    (dict(kernels=('A', 'X')), r"^kernels=\('A', 'X'\) has unknown kernel 'X'; use 'A', 'D', 'AA', 'AD', 'DD'$"),
    (dict(kernels='AD'), r"^kernels='AD' is not a non-empty tuple of kernel names; give e.g. \('A', 'D', 'AA'\)"),
    (dict(kernels=()), r"^kernels=\(\) is not a non-empty tuple of kernel names"),
    (dict(kernels=None), r"^kernels=None is not a non-empty tuple of kernel names"),
    (dict(kernels=('D', 'D')), r"^kernels=\('D', 'D'\) names a kernel twice; give each kernel once$"),
    (dict(max_iter=0), r"^max_iter=0 must be a whole number of at least 1: REML iterations"),
    (dict(tol=0), r"^tol=0 must be a positive number: the largest change of a variance component"),
    (dict(tol=np.nan), r"^tol=nan must be a positive number"),
    (dict(validation=1.5), r"^validation=1.5 must be strictly between 0 and 1"),
    (dict(validation=0.999), r"^validation=0.999 of 600 individuals leaves 1 for training and 599 for validation"),
])
def test_nonsense_options_fail_at_fit_by_name(data, options, message):
    cohort, trait = data
    est = KernelGBLUP(**options)  # construction never validates
    with pytest.raises(ValueError, match=message): est.fit(cohort, trait)


def test_reml_iteration_cap_warns(data):
    cohort, trait = data
    with pytest.warns(ConvergenceWarning, match=r"^REML did not converge within max_iter=2 iterations \(last change "
                                                r".+ · var\(y\), above tol=1e-12\); raise max_iter or tol$"):
        KernelGBLUP(max_iter=2, tol=1e-12).fit(cohort, trait)


def test_reml_matches_the_one_kernel_closed_form():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((300, 400))
    a = z @ z.T / 400
    y = 1 + z @ rng.standard_normal(400) * np.sqrt(0.6 / 400) + rng.standard_normal(300) * np.sqrt(0.4)
    theta, terms, _ = reml([a], y)
    lam, u = np.linalg.eigh(a)
    uy, u1 = u.T @ y, u.T @ np.ones(300)
    def loglik(t):  # REML log-likelihood on the eigenbasis, with the GLS mean
        d = t[0] * lam + t[1]
        mean = (u1 * uy / d).sum() / (u1 ** 2 / d).sum()
        return -0.5 * (np.log(d).sum() + np.log((u1 ** 2 / d).sum()) + ((uy - mean * u1) ** 2 / d).sum())
    assert terms['loglik'] == pytest.approx(loglik(theta), rel=1e-9)
    for k in range(2):  # a maximum: no small move raises it
        for e in (-1e-3, 1e-3): assert loglik(theta + e * np.eye(2)[k]) < terms['loglik']


def test_additive_kernel_alone_is_ridge_gblup(data, halves):
    cohort, _ = data
    train, test = halves
    trait = simulate_trait(cohort, h2=0.5, seed=1)
    a_only = KernelGBLUP(kernels=('A',)).fit(train, trait)
    h2 = a_only.variance_components_['A'] / a_only.variance_components_.sum()
    mine = a_only.predict(test)
    at_reml = RidgePRS(h2_grid=[h2]).fit(train, trait).predict(test)
    assert np.corrcoef(mine, at_reml)[0, 1] > 1 - 1e-9  # the same model at the same h²
    assert np.corrcoef(mine, RidgePRS().fit(train, trait).predict(test))[0, 1] > 0.9  # its h² chosen on validation


def test_dominance_trait_puts_variance_on_the_dominance_kernel(data, halves):
    cohort, _ = data
    train, _ = halves
    def share(architecture):
        trait = simulate_trait(cohort, h2=0.8, seed=5, n_causal=20, architecture=architecture, causal_sites='panel')
        vc = KernelGBLUP(kernels=('A', 'D')).fit(train, trait).variance_components_
        return vc['D'] / vc.sum()
    dominant, additive = share({'additive': 0.2, 'dominance': 0.8}), share({'additive': 1.0})
    assert dominant > 0.3 and additive < 0.1
