"genopred_nb.scores, lasso, ridge: the classical scores as scikit-learn estimators: determinism, cloning, n_fit_, options, errors."
import warnings
import numpy as np, pandas as pd, pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
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


@pytest.mark.parametrize('make, message', [
    (lambda c, t: t.y[:-1], r"^y has shape \(599,\) but the cohort has 600 individuals; give one value per individual, in cohort.samples order$"),
    (lambda c, t: np.r_[np.nan, t.y[1:]], r"^y has 1 non-finite values \(NaN or ±inf; first at position 0: nan\); drop those individuals first"),
    (lambda c, t: np.r_[t.y[:-1], np.inf], r"^y has 1 non-finite values \(NaN or ±inf; first at position 599: inf\)"),
    (lambda c, t: np.full(600, 2.5), r"^y is constant \(every value is 2.5\); a predictor needs a phenotype that varies$"),
    (lambda c, t: pd.Series(t.y, index=[f'x{i}' for i in range(600)]),
     r"^y and the cohort are from different sample sets: 600 of the cohort's 600 samples are not in y \(first '.+'\); "
     r"give y for this cohort's samples$"),
])
@pytest.mark.parametrize('model', MODELS)
def test_fit_rejects_bad_phenotypes(data, make, message, model):
    cohort, trait = data
    with pytest.raises(ValueError, match=message): model().fit(cohort, make(cohort, trait))


@pytest.mark.parametrize('model', MODELS)
def test_same_seed_same_predictions_and_predictive(data, model):
    cohort, trait = data
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    a, b = (model(seed=3).fit(train, trait).predict(test) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    assert np.corrcoef(a, trait.y[480:])[0, 1] > 0.2


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


@pytest.mark.parametrize('model', MODELS)
def test_n_fit_is_the_inner_training_part(data, model):
    cohort, trait = data
    fitted = model(validation=0.25).fit(cohort, trait)
    assert fitted.n_fit_ == 450 and fitted.design_.panel


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


def test_predict_before_fit(data):
    with pytest.raises(NotFittedError, match=r"^this LassoPRS is not fitted yet; call fit\(cohort, y\) first$"):
        LassoPRS().predict(data[0])


def test_predict_on_another_panel_is_a_clear_error(data):
    cohort, trait = data
    model = PThreshold().fit(cohort, trait)
    with pytest.raises(ValueError, match=r"^the cohort lacks chromosome 'X', which the design was fitted on"):
        model.predict(cohort.subset(chromosomes=['1', '2']))
    moved = cohort.subset(individuals=np.arange(50))
    moved.variants = moved.variants.assign(pos=moved.variants.pos + 1)
    with pytest.raises(ValueError, match=r"^the cohort's panel differs from the training panel"):
        model.predict(moved)
