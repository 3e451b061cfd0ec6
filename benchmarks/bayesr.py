"""BayesR against LassoPRS on one cohort at GENOPRED_SCALE (default study): test R² and time, same data and split.

Two additive traits (h² 0.5): a sparse one with 100 causal variants and a denser one with 1,000, drawn from the whole
sequence. The first 80% of the individuals train (each method holds out 20% of those), the last 20% test. For BayesR
also: the posterior-mean h², and the validation R² of the posterior means of the two halves of the kept iterations
(the chain is long enough when they agree). Options: BAYESR_ITER and BAYESR_BURN_IN (default 2000 and 500).
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/bayesr.py
"""
import os, time
import numpy as np, pandas as pd
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import validation_split
from genopred_nb.lasso import LassoPRS
from genopred_nb.bayesr import BayesR

def r2(a, b): return float(np.corrcoef(a, b)[0, 1] ** 2)

scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
n_iter, burn_in = int(os.environ.get('BAYESR_ITER', 2000)), int(os.environ.get('BAYESR_BURN_IN', 500))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length,
                         progress=False)
n = cohort.n_individuals
is_test = np.arange(n) >= int(0.8 * n)
train, test = cohort.subset(individuals=~is_test), cohort.subset(individuals=is_test)
print(f"scale {scale.name}: {cohort}; training {train.n_individuals:,}, test {test.n_individuals:,}; "
      f"BayesR chain {n_iter} iterations, {burn_in} burn-in")
small = cohort.subset(individuals=np.arange(200))  # compile the numba kernels first (cached on disk after a first run)
start = time.perf_counter()
warm = simulate_trait(small, h2=0.5, seed=1)
BayesR(n_iter=3, burn_in=1).fit(small, warm)
LassoPRS(n_lambdas=3).fit(small, warm)
print(f"warm-up on 200 individuals (numba compilation, when not cached yet): {time.perf_counter() - start:.1f} s")
rows = []
for n_causal in (100, 1000):
    trait = simulate_trait(cohort, h2=0.5, seed=1, n_causal=n_causal)
    y_test = trait.y[is_test]
    for name, model in [('LASSO', LassoPRS()), ('BayesR', BayesR(n_iter=n_iter, burn_in=burn_in))]:
        start = time.perf_counter()
        prediction = model.fit(train, trait).predict(test)
        rows.append(dict(trait=f'{n_causal} causal', method=name, test_r2=r2(prediction, y_test),
                         seconds=time.perf_counter() - start))
        line = f"{n_causal:>5} causal  {name:6}  test R² {rows[-1]['test_r2']:.3f}  {rows[-1]['seconds']:7.1f} s"
        if name == 'BayesR':
            _, val = validation_split(train.n_individuals, fraction=model.validation, seed=model.seed)
            halves = model.design_.dot(train, model.halves_, rows=val)
            line += (f"  h² {model.h2_:.3f}; validation R² of the two halves of the chain "
                     + ', '.join(f'{r2(h, trait.y[~is_test][val]):.3f}' for h in halves.T))
        print(line, flush=True)
    print(f"{n_causal:>5} causal  test R² of the true genetic value {r2(trait.genetic_value[is_test], y_test):.3f}")
paired = pd.DataFrame(rows).pivot(index='trait', columns='method', values='test_r2')
print((paired.BayesR - paired.LASSO).round(3).rename('test R²: BayesR − LASSO (one seed, one split)').to_string())
