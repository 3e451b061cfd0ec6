"genopred_nb.boosting: gradient boosting on dosages as an estimator: errors, determinism, cloning, batches, dominance."
import numpy as np, pytest, xgboost as xgb
from sklearn.base import clone
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import DosageDesign
from genopred_nb.lasso import LassoPRS
from genopred_nb.boosting import BoostingPRS, dosage_rows, MAX_BIN, _Batches

FAST = dict(n_estimators=150, patience=20)


@pytest.fixture(scope='module')
def data():
    cohort = simulate_cohort(600, seed=5, n_autosomes=2, length=3e5, missing_rate=0.01, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=5, n_causal=20)


def test_same_seed_same_predictions_and_predictive(data):
    cohort, trait = data
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    a, b = (BoostingPRS(seed=3, **FAST).fit(train, trait).predict(test) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    assert np.corrcoef(a, trait.y[480:])[0, 1] > 0.2
    assert not np.array_equal(a, BoostingPRS(seed=4, **FAST).fit(train, trait).predict(test))


def test_fit_state_early_stopping_and_n_fit(data):
    cohort, trait = data
    model = BoostingPRS(validation=0.25, **FAST).fit(cohort, trait)
    assert model.n_fit_ == 450 and model.design_.panel
    assert model.history_.val_rmse.idxmin() + 1 == model.best_iteration_ == model.booster_.num_boosted_rounds()
    assert len(model.history_) == min(150, model.best_iteration_ + 20)


def test_batches_build_the_same_bins_as_one_float_matrix(data):
    cohort, trait = data
    design, rows = DosageDesign.fit(cohort), np.arange(0, 600, 3)
    batched = xgb.QuantileDMatrix(_Batches(design, cohort, rows, trait.y, 50), max_bin=MAX_BIN)
    x = np.concatenate(list(dosage_rows(design, cohort, rows=rows)))
    assert np.isnan(x).any() and set(np.unique(x[~np.isnan(x)])) <= {0, 1, 2}  # missing calls are NaN, not the mean
    whole = xgb.QuantileDMatrix(x, trait.y[rows], max_bin=MAX_BIN)
    for a, b in zip(batched.get_quantile_cut(), whole.get_quantile_cut()): np.testing.assert_array_equal(a, b)


def test_batch_size_does_not_change_the_fit(data):
    cohort, trait = data
    a, b = (BoostingPRS(batch_size=s, **FAST).fit(cohort, trait).predict(cohort) for s in (1024, 77))
    np.testing.assert_array_equal(a, b)


def test_clone_and_options_unchanged():
    options = dict(n_estimators=50, learning_rate=0.1, max_depth=3, min_child_samples=5, subsample=1.0,
                   colsample_bytree=0.3, reg_lambda=0.0, patience=5, batch_size=64, validation=0.3, seed=2, threads=2)
    est = BoostingPRS(**options)
    for name, value in options.items(): assert getattr(est, name) is value
    assert clone(est).get_params() == est.get_params() == BoostingPRS().set_params(**options).get_params()
    assert repr(BoostingPRS()) == 'BoostingPRS()'


@pytest.mark.parametrize('options, message', [
    (dict(n_estimators=0), r"^n_estimators=0 must be a whole number of at least 1: boosting rounds at most"),
    (dict(max_depth=2.5), r"^max_depth=2.5 must be a whole number of at least 1: the depth of each tree"),
    (dict(min_child_samples=0), r"^min_child_samples=0 must be a whole number of at least 1"),
    (dict(patience=True), r"^patience=True must be a whole number of at least 1"),
    (dict(batch_size=0), r"^batch_size=0 must be a whole number of at least 1"),
    (dict(threads=0), r"^threads=0 must be a whole number of at least 1: CPU threads$"),
    (dict(learning_rate=0), r"^learning_rate=0 must be strictly between 0 and 1: the shrinkage of each tree"),
    (dict(learning_rate=1.5), r"^learning_rate=1.5 must be strictly between 0 and 1"),
    (dict(subsample=0), r"^subsample=0 must be in \(0, 1\]: the share of the individuals each tree sees"),
    (dict(colsample_bytree=1.2), r"^colsample_bytree=1.2 must be in \(0, 1\]: the share of the variants"),
    (dict(reg_lambda=-1), r"^reg_lambda=-1 must be a number >= 0: the L2 penalty on leaf values"),
    (dict(reg_lambda=np.inf), r"^reg_lambda=inf must be a number >= 0"),
    (dict(validation=1.2), r"^validation=1.2 must be strictly between 0 and 1"),
    (dict(validation=0.998), r"^validation=0.998 of 600 individuals leaves 1 for training and 599 for validation"),
])
def test_nonsense_options_fail_at_fit_by_name(data, options, message):
    est = BoostingPRS(**options)  # construction never validates
    with pytest.raises(ValueError, match=message): est.fit(*data)


def test_learns_a_dominant_trait_that_lasso_cannot():
    cohort = simulate_cohort(600, seed=2, n_autosomes=2, length=3e5, progress=False)
    trait = simulate_trait(cohort, h2=0.8, seed=2, architecture={'dominance': 1.0}, n_causal=10, causal_sites='panel',
                           min_maf=0.2)
    train, test = cohort.subset(individuals=np.arange(480)), cohort.subset(individuals=np.arange(480, 600))
    r2 = lambda model: np.corrcoef(model.fit(train, trait).predict(test), trait.y[480:])[0, 1] ** 2
    boosting, lasso = r2(BoostingPRS()), r2(LassoPRS())
    assert boosting > lasso + 0.3, (boosting, lasso)  # seeds 2-4: 0.72-0.75 against 0.00-0.01
