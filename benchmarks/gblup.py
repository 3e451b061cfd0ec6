"""GBLUP with dominance and epistasis kernels against plain GBLUP, on one cohort at GENOPRED_SCALE (default study).

Prints, for the same cohort, split (first 80% train, last 20% test) and traits (h² 0.5: additive, and 1/3 additive +
1/3 dominance + 1/3 additive-by-additive epistasis), the fit + predict time, test R² (squared correlation) and
REML's variance components of:
  KernelGBLUP(kernels=('A', 'D', 'AA'))   GBLUP-ADE
  KernelGBLUP(kernels=('A',))             GBLUP, variance components by REML
  RidgePRS()                              the repo's GBLUP, h² chosen on validation
and the test R² of the true genetic value (the ceiling).
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/gblup.py
"""
import os, time
import numpy as np, pandas as pd
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.ridge import RidgePRS
from genopred_nb.gblup import KernelGBLUP

def r2(a, b): return float(np.corrcoef(a, b)[0, 1] ** 2)

scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length,
                         progress=False)
n = cohort.n_individuals
is_test = np.arange(n) >= int(0.8 * n)
train, test = cohort.subset(individuals=~is_test), cohort.subset(individuals=is_test)
print(f"scale {scale.name}: {cohort}; training {train.n_individuals:,} (REML on 80% of it), "
      f"test {test.n_individuals:,}")
KernelGBLUP().fit(cohort.subset(individuals=np.arange(200)), np.arange(200.))  # numba compilation, if not cached yet
traits = {'additive': None, '2/3 non-additive': {'additive': 1 / 3, 'dominance': 1 / 3, 'epistasis': 1 / 3}}
models = {'GBLUP-ADE': lambda: KernelGBLUP(kernels=('A', 'D', 'AA')),
          'GBLUP (A, REML)': lambda: KernelGBLUP(kernels=('A',)),
          'RidgePRS (A, h² on validation)': RidgePRS}
rows = []
for trait_name, architecture in traits.items():
    trait = simulate_trait(cohort, h2=0.5, seed=1, architecture=architecture)
    y_test = trait.y[is_test]
    rows.append(dict(trait=trait_name, model='true genetic value', r2=r2(trait.genetic_value[is_test], y_test)))
    for name, make in models.items():
        start = time.perf_counter()
        model = make().fit(train, trait)
        pred = model.predict(test)
        seconds = time.perf_counter() - start
        vc = getattr(model, 'variance_components_', None)
        chosen = (', '.join(f'{k} {v / vc.sum():.3f}' for k, v in vc.items()) if vc is not None
                  else f"h² {model.path_.h2[model.best_]:g}")
        rows.append(dict(trait=trait_name, model=name, seconds=round(seconds, 1), r2=r2(pred, y_test), chosen=chosen))
    shares = trait.shares * trait.realised_h2
    print(f"{trait_name}: simulated shares of the phenotypic variance "
          + ', '.join(f'{k} {v:.3f}' for k, v in shares.items()))
table = pd.DataFrame(rows)
with pd.option_context('display.max_colwidth', None, 'display.width', 250):
    print(table.round(3).to_string(index=False))
