"The study loop's numbers and cache: ceilings from the rows fitted and the additive h², keys that cannot go stale."
import shutil, subprocess, sys, textwrap
from pathlib import Path
import numpy as np, pytest, msprime
import genopred_nb
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.evaluate import expected_r2
from genopred_nb.lasso import LassoPRS
from genopred_nb.train import CNNPredictor
from genopred_nb.experiment import (Method, _truth, cache_key, cached, canonical, fit_key, source_hash, truth_key)

SETTING = dict(cohort=dict(n_individuals=300, seed=1), trait=dict(h2=0.5, seed=1), n_train=240, n_test=60)


def test_ceiling_uses_rows_fitted_and_additive_h2():
    cohort = simulate_cohort(400, seed=3, n_autosomes=2, length=2e5, progress=False)
    trait = simulate_trait(cohort, h2=0.5, seed=3, n_causal=20,
                           architecture={'additive': 1 / 3, 'dominance': 1 / 3, 'epistasis': 1 / 3})
    train, test = np.arange(300), np.arange(300, 400)
    t = _truth(cohort, trait, train, test)
    h2a = np.var(trait.additive_value) / np.var(trait.liability)
    assert t['n_fit'] == 240 and t['n_train'] == 300
    assert abs(t['h2_additive'] - h2a) < 1e-12 and t['h2_additive'] < 0.5 * t['h2']
    assert t['expected_linear'] == pytest.approx(expected_r2(h2=h2a, n=240, me=t['me']))
    # the old bound: broad-sense h² and all training individuals, well above what a linear score can reach
    assert t['expected_linear'] < 0.5 * expected_r2(h2=t['h2'], n=300, me=t['me'])


def test_no_additive_part_means_a_linear_ceiling_of_zero():
    cohort = simulate_cohort(300, seed=4, n_autosomes=2, length=2e5, progress=False)
    trait = simulate_trait(cohort, h2=0.5, seed=4, n_causal=20, architecture={'dominance': 1.0})
    assert _truth(cohort, trait, np.arange(240), np.arange(240, 300))['expected_linear'] == 0


def test_changing_a_default_misses_the_cache():
    key = cache_key(fit_key(SETTING, Method(LassoPRS)))
    defaults = LassoPRS.__init__.__kwdefaults__
    defaults['tol'] *= 2
    try: assert cache_key(fit_key(SETTING, Method(LassoPRS))) != key
    finally: defaults['tol'] /= 2
    assert cache_key(fit_key(SETTING, Method(LassoPRS))) == key
    # the network's full parameters too, not only the options given
    assert cache_key(fit_key(SETTING, Method(CNNPredictor, {'epochs': 3}))) != cache_key(
        fit_key(SETTING, Method(CNNPredictor, {'epochs': 3, 'l1': 0.0})))


def test_changing_a_line_of_a_fitting_module_misses_the_cache(tmp_path):
    pkg = tmp_path / 'genopred_nb'
    shutil.copytree(Path(genopred_nb.__file__).parent, pkg, ignore=shutil.ignore_patterns('__pycache__'))
    before = {m: source_hash([m], root=pkg) for m in ('lasso', 'train')}
    lasso = pkg / 'lasso.py'
    lasso.write_text(lasso.read_text().replace('max(abs(z) - lam, 0.0)', 'max(abs(z) - lam * 1.0, 0.0)', 1))
    assert source_hash(['lasso'], root=pkg) != before['lasso']
    assert source_hash(['train'], root=pkg) == before['train']  # the network does not import lasso
    sim = pkg / 'simulate.py'
    sim.write_text(sim.read_text() + '\n')
    assert source_hash(['train'], root=pkg) != before['train']  # the data it is fitted on changed


def test_keys_see_the_middle_of_large_arrays_and_rate_maps():
    a = np.zeros(100_000); b = a.copy(); b[50_000] = 1
    assert repr(a) == repr(b) and cache_key({'x': a}) != cache_key({'x': b})
    maps = [msprime.RateMap(position=np.linspace(0, 1e6, 2001), rate=np.full(2000, 1e-8)) for _ in range(2)]
    rate = np.full(2000, 1e-8); rate[1000] = 2e-8
    other = msprime.RateMap(position=np.linspace(0, 1e6, 2001), rate=rate)
    assert cache_key({'r': maps[0]}) == cache_key({'r': maps[1]}) != cache_key({'r': other})
    with pytest.raises(TypeError, match=r"params\['o'\] is a object, which a cache key cannot hold exactly"):
        canonical({'o': object()})


def test_a_damaged_entry_is_recomputed_not_unpickled(tmp_path):
    calls = []
    def compute(): calls.append(1); return {'v': len(calls)}
    cached({'k': 1}, compute, kind='fit', where=tmp_path)
    entry, = tmp_path.glob('fit-*.pkl')
    data = bytearray(entry.read_bytes()); data[-1] ^= 1
    entry.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match='truncated or damaged'):
        assert cached({'k': 1}, compute, kind='fit', where=tmp_path) == {'v': 2}
    assert cached({'k': 1}, compute, kind='fit', where=tmp_path) == {'v': 2} and len(calls) == 2


def test_two_processes_computing_one_key_both_finish(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from genopred_nb.experiment import cached
        for i in range(40):
            assert cached({{'k': i % 4}}, lambda: bytes(200_000), kind='fit', where={str(tmp_path)!r}) == bytes(200_000)
        """)
    procs = [subprocess.Popen([sys.executable, '-c', script], stderr=subprocess.PIPE) for _ in range(3)]
    errors = [p.communicate()[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert len(list(tmp_path.glob('*.pkl'))) == 4 and not list(tmp_path.glob('*.partial'))


def test_truth_key_changes_with_the_trait():
    assert cache_key(truth_key(SETTING)) != cache_key(truth_key(dict(SETTING, trait=dict(h2=0.2, seed=1))))


def test_keys_hold_every_option_of_a_nested_estimator():
    from genopred_nb.train import CNNPredictor, ValidationSearch
    grid = [{'hidden': (8,)}]
    key = lambda **o: fit_key({'seed': 1}, Method(ValidationSearch, dict(estimator=CNNPredictor(**o), grid=grid)))
    assert cache_key(key(epochs=3)) == cache_key(key(epochs=3)) != cache_key(key(epochs=4))
