"Metrics, bootstrap intervals, ceilings and the results table of genopred_nb.evaluate."
import re
import numpy as np, pandas as pd, pytest
import matplotlib
matplotlib.use('Agg')
from scipy.stats import t as student_t
from sklearn.metrics import roc_auc_score, r2_score
from genopred_nb.evaluate import (METRICS, r2_corr, r2_mse, auc, bootstrap, expected_r2, ceilings, score_predictions,
                                  summarise, format_table, plot_results)


def data(seed, n=300, h2=.5):
    r = np.random.default_rng(seed)
    g = r.normal(0, np.sqrt(h2), n)
    return g + r.normal(0, np.sqrt(1 - h2), n), g


def cases(seed, n=300, ties=False):
    r = np.random.default_rng(seed)
    y = (r.random(n) < .3).astype(float)
    s = y + r.normal(0, 1, n)
    return y, (np.round(s) if ties else s)


# --- metrics ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('seed', range(5))
@pytest.mark.parametrize('a, b', [(0, 1), (3, 2), (-1, .01), (1e3, -5)])
def test_r2_corr_invariant_under_affine_maps(seed, a, b):
    y, g = data(seed)
    assert r2_corr(y, a + b * g) == pytest.approx(r2_corr(y, g), rel=1e-9)
    assert r2_corr(y, g) == pytest.approx(np.corrcoef(y, g)[0, 1] ** 2, rel=1e-12)


@pytest.mark.parametrize('seed', range(5))
def test_r2_mse_is_sklearn_r2_score_and_not_affine_invariant(seed):
    y, g = data(seed)
    assert r2_mse(y, g) == pytest.approx(r2_score(y, g), rel=1e-12)
    assert r2_mse(y, 2 * g + 1) < r2_mse(y, g) - .5
    assert r2_mse(y, y) == 1 and r2_mse(y, np.full_like(y, y.mean())) == pytest.approx(0, abs=1e-12)
    assert r2_mse(y, g) <= r2_corr(y, g) + 1e-12  # the squared correlation is the best over affine maps of pred


@pytest.mark.parametrize('seed', range(5))
@pytest.mark.parametrize('ties', [False, True])
def test_auc_matches_sklearn(seed, ties):
    y, s = cases(seed, ties=ties)
    if ties: assert len(np.unique(s)) < len(s) / 10
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_auc_limits():
    y, s = cases(0)
    order = np.argsort(np.argsort(s))
    assert auc(y, y + 1e-3 * s) == 1 and auc(y, -y) == 0 and auc(y, np.ones_like(y)) == .5
    assert auc(y, s) == pytest.approx(1 - auc(y, -s))
    assert auc(y, order) == auc(y, s)  # only ranks matter
    assert auc(y.astype(bool), s) == auc(y, s)


def test_metrics_registry():
    assert set(METRICS) == {'r2_corr', 'r2_mse', 'auc'}
    assert METRICS['r2_corr'] is r2_corr


def test_column_vectors_are_accepted():
    y, g = data(0)
    assert r2_corr(y, g[:, None]) == r2_corr(y, g)


# --- errors, pinned exactly --------------------------------------------------------------------------------------------

ERRORS = [
    (lambda: r2_corr([1, 2, 3], [1, 2]), "y has 3 values but pred has 2; give one prediction per individual, in the order of y"),
    (lambda: r2_mse([1, 2, 3, 4], [1, np.nan, np.nan, 2]),
     "pred has 2 NaN or infinite values (the first at index 1); drop those individuals from both y and pred, or impute them"),
    (lambda: r2_corr([np.nan, 2, 3], [1, 2, 3]),
     "y has 1 NaN or infinite values (the first at index 0); drop those individuals from both y and pred, or impute them"),
    (lambda: r2_mse([2, 2, 2], [1, 2, 3]),
     "y is constant (every value 2); R2 needs a phenotype that varies: score a sample with more than one phenotype value"),
    (lambda: r2_corr([1, 2, 3], [.5, .5, .5]),
     "pred is constant (every value 0.5), so its correlation with y is undefined; check that the predictor did not collapse "
     "to one value, or report r2_mse, which is defined for a constant predictor"),
    (lambda: r2_corr([1], [1]), "y has 1 values; a metric needs at least 2 individuals"),
    (lambda: r2_corr([1, 2, 3], np.ones((3, 2))), "pred has shape (3, 2); give a 1-D array, one value per individual"),
    (lambda: auc([0, 1, 2, .5], [1, 2, 3, 4]),
     "y has values other than 0 and 1 (0.5, 2); auc scores a binary trait: code controls 0 and cases 1"),
    (lambda: auc([0, 0, 0], [1, 2, 3]), "y has only controls (0); auc needs cases and controls: score a sample with both"),
    (lambda: auc([1, 1, 1], [1, 2, 3]), "y has only cases (1); auc needs cases and controls: score a sample with both"),
    (lambda: auc([0, 1], [1, 2, 3]), "y has 2 values but score has 3; give one prediction per individual, in the order of y"),
    (lambda: bootstrap([1, 2, 3], [1, 2, 3], metrics=('r2_corr', 'rmse')),
     "metrics has 'rmse', which is not a metric; use names of METRICS: 'r2_corr', 'r2_mse', 'auc'"),
    (lambda: bootstrap([1, 2, 3], [1, 2, 3], n_boot=0),
     "n_boot=0; give a whole number of bootstrap replicates >= 1 (1000 is usual)"),
    (lambda: bootstrap([1, 2, 3], [1, 2, 3], n_boot=10.5),
     "n_boot=10.5; give a whole number of bootstrap replicates >= 1 (1000 is usual)"),
    (lambda: bootstrap([1, 2, 3], [1, 2, 3], level=95),
     "level=95 is not a probability; give the interval's coverage in (0, 1), e.g. 0.95"),
    (lambda: expected_r2(h2=0, n=100, me=10), "h2=0 is not a heritability; give a value in (0, 1]"),
    (lambda: expected_r2(h2=1.2, n=100, me=10), "h2=1.2 is not a heritability; give a value in (0, 1]"),
    (lambda: expected_r2(h2=np.nan, n=100, me=10), "h2=nan is not a heritability; give a value in (0, 1]"),
    (lambda: expected_r2(h2=.5, n=0, me=10), "n=0 is not a sample size; give the number of training individuals, > 0"),
    (lambda: expected_r2(h2=.5, n=[10, 20, -3], me=10), "n=-3 is not a sample size; give the number of training individuals, > 0"),
    (lambda: ceilings(h2=.5, n_fit=100, me=-1),
     "me=-1 is not an effective number of segments; give a number > 0, e.g. from ld.effective_number"),
    (lambda: score_predictions([1, 2, 3], [1, 2, 3]),
     "predictions is a list; give a dict of method name -> predictions, e.g. {'ridge': pred}"),
    (lambda: score_predictions({}, [1, 2, 3]), "predictions is empty; give at least one method name -> predictions"),
    (lambda: score_predictions({'flat': [0, 0, 0], 'ok': [1, 2, 4]}, [1, 2, 3], n_boot=5),
     "method 'flat': pred is constant (every value 0), so its correlation with y is undefined; check that the predictor "
     "did not collapse to one value, or report r2_mse, which is defined for a constant predictor"),
    (lambda: summarise(pd.DataFrame(columns=['method', 'metric', 'estimate', 'lo', 'hi'])),
     "table has no column 'seed'; add one when scoring each seed: score_predictions(...).assign(seed=s)"),
    (lambda: summarise(pd.DataFrame(columns=['metric', 'estimate', 'lo', 'hi', 'seed'])),
     "table has no column 'method'; give a table from score_predictions (columns method, metric, estimate, lo, hi, seed)"),
    (lambda: summarise(pd.DataFrame({'method': ['a', 'a'], 'metric': ['auc', 'auc'], 'estimate': [.6, .7], 'lo': [.5, .6],
                                     'hi': [.7, .8], 'seed': [0, 0]})),
     "table has 2 rows for method 'a', metric 'auc' but 1 seeds; give one row per seed, or add the columns that tell them apart to by"),
    (lambda: format_table(pd.DataFrame({'method': ['a', 'a'], 'metric': ['auc', 'auc'], 'estimate': [.6, .7], 'lo': [.5, .6],
                                        'hi': [.7, .8]})),
     "table has 2 rows for method 'a', metric 'auc'; summarise the seeds first: summarise(table)"),
    (lambda: format_table(pd.DataFrame({'method': ['a'], 'metric': ['auc'], 'estimate': [.6]})),
     "table has no column 'lo'; give a table from score_predictions or summarise"),
    (lambda: plot_results(pd.DataFrame({'method': ['a'], 'metric': ['auc'], 'estimate': [.6], 'lo': [.5], 'hi': [.7]})),
     "table has no rows of metric='r2_corr'; use one of 'auc'"),
]


@pytest.mark.parametrize('call, message', ERRORS, ids=[m[:40] for _, m in ERRORS])
def test_error_messages(call, message):
    with pytest.raises(ValueError, match=f'^{re.escape(message)}$'):
        call()


# --- bootstrap ---------------------------------------------------------------------------------------------------------

def test_bootstrap_table_and_determinism():
    y, g = data(0)
    b = bootstrap(y, g, n_boot=300, seed=7)
    assert b.index.tolist() == ['r2_corr', 'r2_mse'] and b.index.name == 'metric'
    assert b.columns.tolist() == ['estimate', 'lo', 'hi']
    assert b.loc['r2_corr', 'estimate'] == r2_corr(y, g) and b.loc['r2_mse', 'estimate'] == r2_mse(y, g)
    assert ((b.lo <= b.estimate) & (b.estimate <= b.hi)).all()
    pd.testing.assert_frame_equal(b, bootstrap(y, g, n_boot=300, seed=7))
    assert not b.equals(bootstrap(y, g, n_boot=300, seed=8))


def test_bootstrap_is_paired_and_percentile():
    "The replicates are metric values of resamples: the interval of pred equals that of an affine map of pred."
    y, g = data(1)
    a, b = bootstrap(y, g, metrics='r2_corr', n_boot=200), bootstrap(y, 3 * g - 2, metrics='r2_corr', n_boot=200)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10)
    wide, narrow = bootstrap(y, g, metrics='r2_corr', n_boot=200, level=.99), bootstrap(y, g, metrics='r2_corr', n_boot=200, level=.5)
    assert wide.lo.item() < narrow.lo.item() < narrow.hi.item() < wide.hi.item()


def test_bootstrap_matches_a_loop():
    "The vectorised replicates are those a loop over the same index matrix gives."
    y, s = cases(2, n=50)
    b = bootstrap(y, s, metrics=['auc', 'r2_corr'], n_boot=64, seed=3)
    idx = np.random.default_rng(3).integers(0, 50, size=(64, 50))
    for m in ('auc', 'r2_corr'):
        reps = np.array([METRICS[m](y[i], s[i]) for i in idx])
        np.testing.assert_allclose(b.loc[m, ['lo', 'hi']].to_numpy(float), np.quantile(reps, [.025, .975]), rtol=1e-12)


def test_bootstrap_interval_shrinks_with_n():
    widths = []
    for n in (100, 400, 1600):
        y, g = data(3, n=n)
        b = bootstrap(y, g, metrics='r2_corr', n_boot=400)
        widths.append((b.hi - b.lo).item())
    assert widths[0] > 1.5 * widths[1] > 1.5 * 1.5 * widths[2]


def test_bootstrap_warns_about_undefined_replicates():
    y, s = np.array([0, 0, 0, 0, 0, 0, 0, 1.]), np.arange(8.)
    with pytest.warns(UserWarning, match=r'bootstrap replicates of auc are undefined \(a resample with one class'):
        b = bootstrap(y, s, metrics='auc', n_boot=100)
    assert b.loc['auc', 'estimate'] == 1


def test_bootstrap_covers_the_truth():
    "The true genetic value of a trait with h2 = 0.5 has population R2 0.5; about 95% of the intervals contain it."
    bs = [bootstrap(*data(s, n=400), metrics='r2_corr', n_boot=300, seed=s) for s in range(60)]
    assert np.mean([b.lo.item() <= .5 <= b.hi.item() for b in bs]) >= .85


# --- ceilings ----------------------------------------------------------------------------------------------------------

def test_expected_r2_values_and_limits():
    assert expected_r2(h2=.5, n=2000, me=1000) == pytest.approx(.25)
    assert expected_r2(h2=1, n=1000, me=1000) == pytest.approx(.5)
    assert expected_r2(h2=.5, n=np.inf, me=1000) == .5
    assert expected_r2(h2=.3, n=1e15, me=5e4) == pytest.approx(.3, rel=1e-9)
    assert expected_r2(h2=.3, n=1, me=1e9) == pytest.approx(0, abs=1e-9)
    curve = expected_r2(h2=.4, n=np.array([10, 100, 1000, 1e4]), me=500)
    assert isinstance(curve, np.ndarray) and (np.diff(curve) > 0).all() and (curve < .4).all()
    assert isinstance(expected_r2(h2=.5, n=10, me=10), float)
    assert ceilings(h2=.5, n_fit=2000, me=1000) == {'h2': .5, 'expected linear': pytest.approx(.25)}
    assert ceilings(h2=.5, h2_additive=.25, n_fit=4000, me=1000) == {"h2": .5, "expected linear": pytest.approx(.125)}


# --- results table -----------------------------------------------------------------------------------------------------

def test_score_predictions_table():
    y, g = data(4)
    preds = {'truth': g, 'twice': 2 * g, 'noise': np.random.default_rng(0).normal(size=len(y))}
    t = score_predictions(preds, y, n_boot=100)
    assert t.columns.tolist() == ['method', 'metric', 'estimate', 'lo', 'hi']
    assert t.method.tolist() == ['truth', 'truth', 'twice', 'twice', 'noise', 'noise']
    assert t.metric.tolist() == ['r2_corr', 'r2_mse'] * 3
    pd.testing.assert_frame_equal(t[t.method == 'truth'].drop(columns='method').set_index('metric'),
                                  bootstrap(y, g, n_boot=100), check_names=False)
    yb, s = cases(0)
    tb = score_predictions({'s': s}, yb, binary=True, n_boot=50)
    assert tb.metric.tolist() == ['r2_corr', 'r2_mse', 'auc']
    assert tb.estimate.iloc[2] == auc(yb, s)


def test_summarise_over_seeds():
    runs = pd.concat([score_predictions({'truth': g, 'half': g + np.random.default_rng(s).normal(0, np.sqrt(.5), len(g))}, y,
                                        n_boot=50).assign(seed=s) for s, (y, g) in ((s, data(s)) for s in range(4))])
    out = summarise(runs)
    assert out.columns.tolist() == ['method', 'metric', 'estimate', 'lo', 'hi', 'n_seeds']
    assert out[['method', 'metric']].values.tolist() == [['truth', 'r2_corr'], ['truth', 'r2_mse'], ['half', 'r2_corr'], ['half', 'r2_mse']]
    e = runs[(runs.method == 'half') & (runs.metric == 'r2_corr')].estimate
    row = out.iloc[2]
    half = student_t.ppf(.975, 3) * e.std(ddof=1) / 2
    assert row.estimate == pytest.approx(e.mean()) and row.n_seeds == 4
    assert (row.lo, row.hi) == (pytest.approx(e.mean() - half), pytest.approx(e.mean() + half))
    assert summarise(runs, level=.5).iloc[2].hi < row.hi
    single = summarise(runs[runs.seed == 2])  # one seed keeps the bootstrap interval
    pd.testing.assert_frame_equal(single.drop(columns='n_seeds'), runs[runs.seed == 2].drop(columns='seed').reset_index(drop=True))
    assert (single.n_seeds == 1).all()
    with pytest.raises(ValueError, match=r"^table has 8 rows for metric 'r2_corr' but 4 seeds; give one row per seed"):
        summarise(runs, by='metric')  # two methods per seed: not a summary over seeds


def test_format_table():
    t = pd.DataFrame({'method': ['b', 'b', 'a', 'a'], 'metric': ['r2_corr', 'r2_mse'] * 2,
                      'estimate': [.4123, .4, -.05, .1], 'lo': [.3914, .35, -.1, 0], 'hi': [.43349, .45, 0, .2]})
    f = format_table(t)
    assert f.index.tolist() == ['b', 'a'] and f.columns.tolist() == ['r2_corr', 'r2_mse']
    assert f.loc['b', 'r2_corr'] == '0.412 [0.391, 0.433]'
    assert f.loc['a', 'r2_corr'] == '-0.050 [-0.100, 0.000]'
    assert format_table(t, digits=2).loc['b', 'r2_corr'] == '0.41 [0.39, 0.43]'


def test_plot_results():
    import matplotlib.pyplot as plt
    t = pd.DataFrame({'method': ['b', 'a', 'b'], 'metric': ['r2_corr', 'r2_corr', 'auc'],
                      'estimate': [.4, .2, .7], 'lo': [.35, .1, .6], 'hi': [.45, .3, .8]})
    ax = plot_results(t, ceilings={'h2': .5, 'expected linear': .3}, title='x')
    assert [l.get_text() for l in ax.get_yticklabels()] == ['b', 'a']
    assert ax.get_xlabel() == 'R² (squared correlation with y)' and ax.get_title() == 'x'
    assert [l.get_text() for l in ax.get_legend().get_texts()] == ['h2 (0.500)', 'expected linear (0.300)']
    assert tuple(ax.figure.get_size_inches()) == (6, 3)
    fig, ax2 = plt.subplots()
    assert plot_results(t, metric='auc', ax=ax2) is ax2 and ax2.get_legend() is None and ax2.get_xlabel() == 'AUC'
    plt.close('all')
