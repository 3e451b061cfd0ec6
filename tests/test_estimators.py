"What every predictor of the package does alike: phenotype checks, seeded determinism, n_fit_, clone, unfitted and other-panel errors."
import numpy as np, pandas as pd, pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.scores import PThreshold, ClumpThreshold
from genopred_nb.lasso import LassoPRS
from genopred_nb.ridge import RidgePRS
from genopred_nb.boosting import BoostingPRS
from genopred_nb.gblup import KernelGBLUP
from genopred_nb.bayesr import BayesR
from genopred_nb.train import CNNPredictor

# each predictor with options that keep a fit on 600 individuals to a second or two
ESTIMATORS = {'P+T': (PThreshold, {}), 'C+T': (ClumpThreshold, {}), 'LASSO': (LassoPRS, {}), 'ridge': (RidgePRS, {}),
              'boosting': (BoostingPRS, dict(n_estimators=150, patience=20)), 'GBLUP-ADE': (KernelGBLUP, {}),
              'BayesR': (BayesR, dict(n_iter=300, burn_in=100)),
              'CNN': (CNNPredictor, dict(kernel=8, epochs=2, threads=1, progress=False))}
NAMES = list(ESTIMATORS)


def make(name, **extra):
    cls, options = ESTIMATORS[name]
    return cls(**options, **extra)


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


@pytest.fixture(scope='module')
def fitted(data):
    "Each predictor fitted once on the first 480 individuals, with the test predictions of the last 120."
    cohort, trait = data
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    out = {}
    for name in NAMES:
        model = make(name, seed=3).fit(train, trait)
        out[name] = model, model.predict(test)
    return out


@pytest.mark.parametrize('bad, message', [
    (lambda t: t.y[:-1], r"^y has shape \(599,\) but the cohort has 600 individuals; give one value per individual, "
                         r"in cohort.samples order$"),
    (lambda t: np.r_[np.nan, t.y[1:]], r"^y has 1 non-finite values \(NaN or ±inf; first at position 0: nan\); "
                                       r"drop those individuals first"),
    (lambda t: np.r_[t.y[:-1], np.inf], r"^y has 1 non-finite values \(NaN or ±inf; first at position 599: inf\)"),
    (lambda t: np.full(600, 2.5), r"^y is constant \(every value is 2.5\); a predictor needs a phenotype that varies$"),
    (lambda t: pd.Series(t.y, index=[f'x{i}' for i in range(600)]),
     r"^y and the cohort are from different sample sets: 600 of the cohort's 600 samples are not in y \(first '.+'\); "
     r"give y for this cohort's samples$"),
])
@pytest.mark.parametrize('name', NAMES)
def test_fit_rejects_bad_phenotypes(data, bad, message, name):
    cohort, trait = data
    with pytest.raises(ValueError, match=message): make(name).fit(cohort, bad(trait))


@pytest.mark.parametrize('name', NAMES)
def test_a_trait_of_another_cohort_is_refused(data, name):
    "Simulated cohorts' ids name the cohort: a Trait of another cohort of the same size no longer fits silently."
    cohort, trait = data
    other = simulate_cohort(600, seed=6, n_autosomes=2, length=3e5, progress=False)
    with pytest.raises(ValueError, match="y and the cohort are from different sample sets"): make(name).fit(other, trait)


@pytest.mark.parametrize('name', NAMES)
def test_same_seed_same_predictions_and_predictive(data, fitted, name):
    cohort, trait = data
    again = make(name, seed=3).fit(cohort.subset(individuals=np.arange(480)), trait)
    np.testing.assert_array_equal(again.predict(cohort.subset(individuals=np.arange(480, 600))), fitted[name][1])
    assert np.corrcoef(fitted[name][1], trait.y[480:])[0, 1] > 0.2


@pytest.mark.parametrize('name', NAMES)
def test_n_fit_is_the_inner_training_part(fitted, name):
    assert fitted[name][0].n_fit_ == 384  # 480 minus the 20% validation part: the rows the ceiling counts


@pytest.mark.parametrize('name', NAMES)
def test_clone_keeps_the_parameters_and_forgets_the_fit(fitted, name):
    model = fitted[name][0]
    copy = clone(model)
    assert copy.get_params() == model.get_params() and copy is not model
    assert type(model)().set_params(**model.get_params()).get_params() == model.get_params()
    with pytest.raises(NotFittedError, match=rf"^this {type(model).__name__} is not fitted yet; call fit\(cohort, y\) first"):
        copy.predict(simulate_cohort(10, seed=1, n_autosomes=1, length=1e5, progress=False))


@pytest.mark.parametrize('name', NAMES)
def test_predict_on_another_panel_is_a_clear_error(data, fitted, name):
    cohort, _ = data
    model = fitted[name][0]
    with pytest.raises(ValueError, match=r"the cohort (lacks|has no) chromosome 'X'"):
        model.predict(cohort.subset(chromosomes=['1', '2']))
    moved = cohort.subset(individuals=np.arange(50))
    moved.variants = moved.variants.assign(pos=moved.variants.pos + 1)
    with pytest.raises(ValueError, match=r"the cohort's panel differs from the training panel"):
        model.predict(moved)
