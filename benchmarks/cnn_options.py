"""Test R² of `CNNPredictor` option sets on the study's additive trait (the cohort and split of nbs/13_train).

Each argument is a JSON dict of `CNNPredictor` options; prints one line per option set: test R², best validation
R², epochs run and kept, seconds. This is how the options of the study's network were chosen.
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/cnn_options.py '{"l1": 0}' '{"l1": 1e-3}' '{"kernel": 32}'
"""
import json, os, sys, time
import numpy as np
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.evaluate import r2_corr
from genopred_nb.train import CNNPredictor

scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length, progress=False)
trait = simulate_trait(cohort, h2=0.5, seed=1)
is_test = np.arange(cohort.n_individuals) >= int(0.8 * cohort.n_individuals)
train, test = cohort.subset(individuals=~is_test), cohort.subset(individuals=is_test)
del cohort
print(f"scale {scale.name}: training {train.n_individuals:,}, test {test.n_individuals:,}")
for spec in sys.argv[1:] or ['{}']:
    start = time.perf_counter()
    model = CNNPredictor(progress=False, **json.loads(spec)).fit(train, trait)
    h = model.history_
    print(f"{spec}: test R² {r2_corr(trait.y[is_test], model.predict(test)):.3f}, best validation R² {h.val_r2.max():.3f}, "
          f"epoch {model.best_epoch_} of {len(h)}, {time.perf_counter() - start:.0f} s", flush=True)
