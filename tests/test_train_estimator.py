"CNNPredictor as a scikit-learn estimator: options stored as given, checked in fit, clone, check_is_fitted, n_fit_."
import numpy as np, pytest, torch
from pathlib import Path
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import validation_split
from genopred_nb import train as train_module, cnn as cnn_module
from genopred_nb.train import CNNPredictor

torch.set_num_threads(1)  # the machine's cores are shared


@pytest.fixture(scope='module')
def small():
    cohort = simulate_cohort(200, seed=11, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=11, n_causal=10)


def test_init_stores_options_unchanged_and_clone_works():
    hidden, kernel = [8, 4], {'1': 5, '2': 5}
    p = CNNPredictor(hidden=hidden, kernel=kernel, encoding='onehot', epochs=0)  # no validation before fit
    assert p.hidden is hidden and p.kernel is kernel and p.encoding == 'onehot' and p.epochs == 0
    q = clone(CNNPredictor(hidden=hidden, kernel=kernel, epochs=3))
    assert q.get_params() == dict(CNNPredictor().get_params(), hidden=[8, 4], kernel=kernel, epochs=3)
    assert q.hidden is not hidden
    assert 'epochs=3' in repr(q) and 'hidden=[8, 4]' in repr(q)


def test_clone_of_a_fitted_predictor_is_unfitted(small):
    cohort, trait = small
    p = CNNPredictor(kernel=6, epochs=1, threads=1, progress=False).fit(cohort, trait)
    q = clone(p)
    assert q.get_params() == p.get_params() and not hasattr(q, 'model_')
    with pytest.raises(NotFittedError, match=r"this CNNPredictor is not fitted yet; call fit\(cohort, y\) first"):
        q.predict(cohort)


@pytest.mark.parametrize('option, value, fix', [
    ('encoding', 'onehot', "encoding must be one of 'two_hot', 'dosage', e.g. encoding='two_hot'"),
    ('epochs', 0, 'epochs must be an integer >= 1, e.g. epochs=30'),
    ('epochs', -2, 'epochs must be an integer >= 1'),
    ('patience', 0, 'patience must be an integer >= 1, e.g. patience=6'),
    ('hidden', [8, 0], 'hidden must be a list of positive integer widths'),
    ('latent', 0, 'latent must be an integer >= 1'),
    ('channels', 0, 'channels must be an integer >= 1'),
    ('batch_size', 0, 'batch_size must be an integer >= 1'),
    ('lr', 0.0, 'lr must be a number > 0'),
    ('lr', -1e-3, 'lr must be a number > 0'),
    ('dropout', 1.0, r'dropout must be a number in \[0, 1\)'),
    ('dropout', -0.1, r'dropout must be a number in \[0, 1\)'),
    ('l1', -1e-3, 'l1 must be a number >= 0'),
    ('weight_decay', -1.0, 'weight_decay must be a number >= 0'),
    ('validation', 0.0, r'validation must be a share in \(0, 1\)'),
    ('validation', 1.0, r'validation must be a share in \(0, 1\)'),
    ('threads', 0, r"threads must be None \(torch's default\) or an integer >= 1"),
])
def test_fit_checks_options(small, option, value, fix):
    "Each bad option is refused by fit (not by __init__), naming the option, its value and the fix."
    cohort, trait = small
    p = CNNPredictor(kernel=6, progress=False, **{option: value})
    with pytest.raises(ValueError, match=rf"{option}={value!r} is not allowed; {fix}".replace('[8, 0]', r'\[8, 0\]')):
        p.fit(cohort, trait)
    assert not hasattr(p, 'model_')


@pytest.mark.parametrize('option, value', [('hidden', 8), ('epochs', 2.5), ('patience', True), ('hidden', [8.0])])
def test_fit_checks_option_types(small, option, value):
    cohort, trait = small
    with pytest.raises(TypeError, match=rf"{option}=.* has type \w+; {option} must be"):
        CNNPredictor(kernel=6, progress=False, **{option: value}).fit(cohort, trait)


def test_n_fit_is_the_inner_training_part(small, tmp_path):
    "The epoch is chosen on the validation part and there is no refit: n_fit_ counts the inner training part."
    cohort, trait = small
    p = CNNPredictor(kernel=6, epochs=1, validation=0.25, threads=1, progress=False).fit(cohort, trait)
    train, _ = validation_split(cohort.n_individuals, fraction=0.25, seed=0)
    assert p.n_fit_ == len(train) == 150
    p.save(tmp_path / 'p.pt')
    assert CNNPredictor.load(tmp_path / 'p.pt').n_fit_ == 150


def test_predict_on_no_individuals(small):
    cohort, trait = small
    p = CNNPredictor(kernel=6, epochs=1, threads=1, progress=False).fit(cohort, trait)
    with pytest.raises(ValueError, match=r"the cohort has 0 individuals; predict on a cohort with at least one"):
        p.predict(cohort.subset(individuals=np.zeros(cohort.n_individuals, bool)))
    with pytest.raises(ValueError, match=r"the cohort has no chromosome 'Y', which the network was built for"):
        p.predict(cohort.subset(chromosomes=['1', '2', 'X']))


def test_save_before_fit(tmp_path):
    with pytest.raises(NotFittedError, match=r"this CNNPredictor is not fitted yet; fit it before saving"):
        CNNPredictor().save(tmp_path / 'p.pt')
    assert not list(tmp_path.iterdir())


def test_methods_on_the_class_not_none_in_the_module():
    "@patch must not leave `fit = None` and friends at module level; the methods are the class's."
    assert not [k for k, v in vars(train_module).items() if v is None]
    for name in ('fit', 'predict', 'save', 'load', 'score', 'get_params'):
        assert callable(getattr(CNNPredictor, name))


@pytest.mark.parametrize('module', [train_module, cnn_module])
def test_lines_at_most_120(module):
    long = [i for i, line in enumerate(Path(module.__file__).read_text().splitlines(), 1) if len(line) > 120]
    assert not long, f"{module.__name__}: lines {long} are longer than 120 characters"


def test_a_cohort_without_calls_is_refused():
    "A cohort whose calls are all missing gave a constant network without a word; now it is a clear error."
    cohort = simulate_cohort(120, seed=9, n_autosomes=1, length=1e5, progress=False)
    blank = cohort.subset()
    blank.genotypes = {c: np.where(g > 0, 0xFF, 0).astype(np.uint8) for c, g in cohort.genotypes.items()}
    y = np.random.default_rng(0).normal(size=120)
    with pytest.raises(ValueError, match="the training rows have no readable call"):
        CNNPredictor(epochs=1, progress=False, threads=1).fit(blank, y)


def test_validation_search_keeps_the_lowest_validation_loss(small):
    from genopred_nb.train import ValidationSearch
    cohort, trait = small
    grid = [{'hidden': (8,)}, {'hidden': (8,), 'dropout': 0.5}, {}]
    search = ValidationSearch(estimator=CNNPredictor(kernel=6, epochs=3, threads=1), grid=grid, progress=False)
    search.fit(cohort, trait)
    losses = [CNNPredictor(kernel=6, epochs=3, threads=1, progress=False, **g).fit(cohort, trait).history_.val_loss.min()
              for g in grid]
    assert np.allclose(search.results_.val_loss, losses)
    assert search.best_options_ == grid[int(np.argmin(losses))]
    assert search.best_estimator_.hidden == search.best_options_.get('hidden', ())


def test_validation_search_refuses_a_grid_that_changes_the_split(small):
    from genopred_nb.train import ValidationSearch
    cohort, trait = small
    with pytest.raises(ValueError, match=r"changes \['validation'\]: the candidates must share one validation split"):
        ValidationSearch(grid=[{'validation': 0.3}]).fit(cohort, trait)
