"genopred_nb.bayesr: BayesR as a scikit-learn estimator: errors, determinism, cloning, options, sparse-trait accuracy."
import numpy as np, pytest
from sklearn.base import clone
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.lasso import LassoPRS
from genopred_nb.bayesr import BayesR, GAMMAS

SHORT = dict(n_iter=300, burn_in=100)  # a short chain: enough for the estimator's plumbing


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20, causal_sites='panel')


def test_same_seed_same_predictions_other_seed_other_chain(data):
    cohort, trait = data
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    a, b = (BayesR(seed=3, **SHORT).fit(train, trait).predict(test) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, BayesR(seed=4, **SHORT).fit(train, trait).predict(test))
    assert np.corrcoef(a, trait.y[480:])[0, 1] > 0.2


def test_options_stored_unchanged_and_clone():
    options = dict(gammas=[0, 0.01, 0.1, 1], n_iter=100, burn_in=10, thin=2, h2_prior=0.3, validation=0.25, seed=2,
                   progress=False)
    est = BayesR(**options)
    for name, value in options.items(): assert getattr(est, name) is value
    copy = clone(est)
    assert copy.get_params() == est.get_params() and copy is not est
    assert BayesR().set_params(**options).get_params() == est.get_params()
    assert repr(BayesR()) == 'BayesR()' and BayesR().gammas is GAMMAS


def test_fitted_state(data):
    cohort, trait = data
    model = BayesR(validation=0.25, thin=4, **SHORT).fit(cohort, trait)
    assert model.n_fit_ == 450 and model.design_.panel
    m = model.design_.n_variants
    assert model.weights_.shape == (m,) and model.halves_.shape == (m, 2)
    assert len(model.trace_) == 300 and model.trace_.kept.sum() == 50
    np.testing.assert_allclose(model.pi_.sum(), 1)
    np.testing.assert_allclose(model.h2_, model.trace_.h2[model.trace_.kept].mean())
    assert list(model.path_.columns) == ['h2', 'nonzero', 'val_r2']


@pytest.mark.parametrize('options, message', [
    (dict(gammas=(1e-4, 1e-3, 1e-2)), r"^gammas=\[0.0001, 0.001, 0.01\] must start with 0 \(the null component\) and "
                                      r"go on with increasing positive, finite variances; give e.g. \(0.0, 0.0001"),
    (dict(gammas=(0,)), r"^gammas=\[0.0\] must start with 0"),
    (dict(gammas=(0, 1e-2, 1e-3)), r"^gammas=\[0.0, 0.01, 0.001\] must start with 0 .* increasing"),
    (dict(gammas=(0, 1e-3, np.inf)), r"^gammas=\[0.0, 0.001, inf\] must start with 0 .* finite"),
    (dict(n_iter=0), r"^n_iter=0 must be a whole number of at least 1"),
    (dict(n_iter=100.5), r"^n_iter=100.5 must be a whole number of at least 1"),
    (dict(n_iter=400), r"^burn_in=500 must be a whole number in \[0, n_iter=400\): the iterations dropped before "
                       r"the posterior means; lengthen the chain or shorten the burn-in$"),
    (dict(burn_in=-1), r"^burn_in=-1 must be a whole number in \[0, n_iter=2000\)"),
    (dict(thin=0), r"^thin=0 must be a whole number of at least 1"),
    (dict(n_iter=600, thin=100), r"^n_iter=600, burn_in=500 and thin=100 keep 1 iteration; the posterior means and "
                                 r"their two halves need at least 2: lengthen the chain or thin less$"),
    (dict(h2_prior=1), r"^h2_prior=1 must be strictly between 0 and 1"),
    (dict(validation=0), r"^validation=0 must be strictly between 0 and 1"),
])
def test_nonsense_options_fail_at_fit_by_name(data, options, message):
    cohort, trait = data
    est = BayesR(**options)  # construction never validates
    with pytest.raises(ValueError, match=message): est.fit(cohort, trait)


def test_sparse_trait_at_least_lasso_and_h2_recovered(data):
    cohort, trait = data
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    r2 = lambda model: np.corrcoef(model.fit(train, trait).predict(test), trait.y[480:])[0, 1] ** 2
    bayes = BayesR()
    assert r2(bayes) >= r2(LassoPRS()) - 0.03
    assert abs(bayes.h2_ - trait.realised_h2) < 0.15
