"genopred_nb.scores, lasso, ridge: the classical scores as scikit-learn estimators: determinism, cloning, n_fit_, options, errors."
import numpy as np, pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.scores import PThreshold, ClumpThreshold, THRESHOLDS
from genopred_nb.lasso import LassoPRS
from genopred_nb.ridge import RidgePRS

MODELS = [PThreshold, ClumpThreshold, LassoPRS, RidgePRS]


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


@pytest.mark.parametrize('model, options', [
    (PThreshold, dict(thresholds=[1e-4, 0.5], validation=0.3, seed=2)),
    (ClumpThreshold, dict(r2=0.2, kb=100, thresholds=(0.1, 1.0))),
    (LassoPRS, dict(n_lambdas=30, lambda_ratio=0.05, patience=3, tol=1e-3, max_iter=50, progress=False)),
    (RidgePRS, dict(h2_grid=[0.2, 0.6], validation=0.25)),
])
def test_estimators_clone_and_keep_their_options_unchanged(model, options):
    est = model(**options)
    for name, value in options.items(): assert getattr(est, name) is value  # stored, not converted
    copy = clone(est)
    assert copy.get_params() == est.get_params() and copy is not est
    assert model().set_params(**options).get_params() == est.get_params()
    assert repr(model()) == f'{model.__name__}()'
    assert PThreshold().thresholds is THRESHOLDS


@pytest.mark.parametrize('model, options, message', [
    (PThreshold, dict(thresholds=[]), r"^thresholds=\[\] is empty; give p-value thresholds in \(0, 1\]$"),
    (PThreshold, dict(thresholds=[-1]), r"^thresholds=\[-1.0\] has values outside \(0, 1\]; give p-value thresholds in \(0, 1\]$"),
    (ClumpThreshold, dict(thresholds=[np.nan]), r"^thresholds=\[nan\] has values outside \(0, 1\]"),
    (PThreshold, dict(thresholds=[0.5, 1.5]), r"^thresholds=\[0.5, 1.5\] has values outside \(0, 1\]"),
    (ClumpThreshold, dict(r2=1.0), r"^r2=1.0 is not an r² threshold; give a value in \[0, 1\)$"),
    (LassoPRS, dict(n_lambdas=0), r"^n_lambdas=0 must be a whole number of at least 1"),
    (LassoPRS, dict(lambda_ratio=2), r"^lambda_ratio=2 must be strictly between 0 and 1"),
    (LassoPRS, dict(lambda_ratio=0), r"^lambda_ratio=0 must be strictly between 0 and 1"),
    (LassoPRS, dict(patience=0), r"^patience=0 must be a whole number of at least 1"),
    (LassoPRS, dict(tol=0), r"^tol=0 must be a positive number"),
    (LassoPRS, dict(tol=-1e-3), r"^tol=-0.001 must be a positive number"),
    (LassoPRS, dict(max_iter=0), r"^max_iter=0 must be a whole number of at least 1"),
    (RidgePRS, dict(h2_grid=[]), r"^h2_grid=\[\] is empty; give heritabilities in \(0, 1\)$"),
    (RidgePRS, dict(h2_grid=[np.nan]), r"^h2_grid=\[nan\] has values outside \(0, 1\)"),
    (RidgePRS, dict(h2_grid=[0.5, 1.0]), r"^h2_grid=\[0.5, 1.0\] has values outside \(0, 1\)"),
    (RidgePRS, dict(validation=0), r"^validation=0 must be strictly between 0 and 1"),
    (LassoPRS, dict(validation=1.2), r"^validation=1.2 must be strictly between 0 and 1"),
    (PThreshold, dict(validation=0.998), r"^validation=0.998 of 600 individuals leaves 1 for training and 599 for validation; "
                                         r"each part needs at least 10"),
])
def test_nonsense_options_fail_at_fit_by_name(data, model, options, message):
    cohort, trait = data
    est = model(**options)  # construction never validates
    with pytest.raises(ValueError, match=message): est.fit(cohort, trait)


def test_lasso_iteration_cap_warns(data):
    cohort, trait = data
    with pytest.warns(ConvergenceWarning, match=r"^the LASSO did not converge within max_iter=1 sweeps at \d+ of \d+ λ "
                                                r"\(first λ=.+\); raise max_iter or tol \(tol=1e-12\)$"):
        LassoPRS(max_iter=1, n_lambdas=5, tol=1e-12).fit(cohort, trait)


