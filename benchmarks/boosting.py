"""BoostingPRS (XGBoost binned batch by batch from the byte codes) against its peers, and how its defaults were chosen.

One cohort at GENOPRED_SCALE (default study), seed 1, an additive trait (h² 0.5, 100 causal sites); the first 80%
train, the last 20% test, and every arm stops early on the same inner 80/20 split of the training part
(validation_split, seed 0). Each arm runs in a fresh process (this script with --arm), so its peak RSS (VmHWM minus
VmRSS at its start, from /proc) is its own. Prints:
  1. XGBoost from batches (BoostingPRS) / the same XGBoost on one float32 matrix / LightGBM on one float32 matrix /
     LightGBM through lgb.Sequence (row batches) / LASSO: fit time, peak RSS, boosting rounds kept, the validation R²
     that picks the library, test R² (reported, never used to choose);
  2. the grid that chose the defaults: minimum validation RMSE (the early-stopping criterion) by max_depth and
     learning_rate, on the additive trait and on a trait with half of its genetic variance dominance.
Run: GENOPRED_SCALE=study nice .venv/bin/python benchmarks/boosting.py --threads 2
(--arms XGBoost LASSO: only the arms whose names hold one of the words; --no-grid: without the grid)
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np, pandas as pd, lightgbm as lgb, xgboost as xgb
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import DosageDesign, validation_split
from genopred_nb.design import MIN_PART
from genopred_nb.lasso import LassoPRS
from genopred_nb.boosting import BoostingPRS, dosage_rows, MAX_BIN

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--threads', type=int, default=1, help='CPU threads of every fit')
parser.add_argument('--no-grid', action='store_true', help='skip the grid of defaults')
parser.add_argument('--arms', nargs='+', metavar='WORD', help='run only the arms whose names hold one of these words')
parser.add_argument('--arm', help='run only this arm and save its result to --out (used by the script itself)')
parser.add_argument('--out', help='where --arm saves its result (.npz)')
args = parser.parse_args()

scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length,
                         progress=False)
traits = {'additive': simulate_trait(cohort, h2=0.5, seed=1),
          'additive + dominance': simulate_trait(cohort, h2=0.5, seed=1,
                                                 architecture={'additive': 0.5, 'dominance': 0.5})}
trait = traits['additive']
n = cohort.n_individuals
train, test = np.arange(int(0.8 * n)), np.arange(int(0.8 * n), n)
train_cohort, test_cohort = cohort.subset(individuals=train), cohort.subset(individuals=test)
inner, val = validation_split(len(train), fraction=0.2, seed=0, minimum=MIN_PART, argument='validation')
val_cohort = train_cohort.subset(individuals=val)
design = DosageDesign.fit(train_cohort, rows=inner)  # the coding BoostingPRS fits: on the inner training part
model = BoostingPRS(threads=args.threads)  # the defaults; the peers get the same settings in their own names
r2 = lambda p, y: float(np.corrcoef(p, y)[0, 1] ** 2)

def memory(field: str) -> float:
    "MB of `field` ('VmRSS' now, 'VmHWM' peak) of this process, from /proc."
    return int(open('/proc/self/status').read().split(f'{field}:')[1].split()[0]) / 1024

def ours():
    fitted = model.fit(train_cohort, trait)
    return fitted.predict(test_cohort), fitted.best_iteration_, fitted.predict(val_cohort)

def float_matrix(rows, cohort_=train_cohort):
    "The one float32 matrix the peers get (dosages as BoostingPRS sees them: missing calls NaN)."
    return np.concatenate(list(dosage_rows(design, cohort_, rows=rows)))

def xgboost_matrix():
    y = trait.y[train]
    fit_on = xgb.QuantileDMatrix(float_matrix(inner), y[inner], max_bin=MAX_BIN, nthread=args.threads)
    stop_on = xgb.QuantileDMatrix(x_val := float_matrix(val), y[val], ref=fit_on, max_bin=MAX_BIN, nthread=args.threads)
    booster = xgb.train(model._params(), fit_on, model.n_estimators, evals=[(stop_on, 'validation')],
                        early_stopping_rounds=model.patience, verbose_eval=False)
    keep = (0, booster.best_iteration + 1)
    return booster.inplace_predict(float_matrix(None, test_cohort), iteration_range=keep), keep[1], \
        booster.inplace_predict(x_val, iteration_range=keep)

LGB_PARAMS = dict(objective='regression', learning_rate=model.learning_rate, max_depth=model.max_depth,
                  num_leaves=2 ** model.max_depth, min_child_samples=model.min_child_samples,
                  bagging_fraction=model.subsample, bagging_freq=1, feature_fraction=model.colsample_bytree,
                  lambda_l2=model.reg_lambda, max_bin=MAX_BIN, deterministic=True, force_col_wise=True,
                  num_threads=args.threads, seed=model.seed, verbose=-1)

class Rows(lgb.Sequence):
    "LightGBM's row-batch view of the training cohort: dosages looked up from the byte codes, a batch at a time."
    batch_size = model.batch_size
    def __init__(self, rows): self.rows, self.design, self.start = rows, design, None
    def __len__(self): return len(self.rows)
    def __getitem__(self, i):
        if isinstance(i, slice):
            return next(dosage_rows(self.design, train_cohort, rows=self.rows[i], size=len(self.rows)))
        start = i - i % self.batch_size  # a sampled row (LightGBM asks for them one by one, in order): from its batch
        if self.start != start: self.block, self.start = self[start:start + self.batch_size].astype(np.float64), start
        return self.block[i - start]

def lightgbm(data):
    y = trait.y[train]
    fit_on = lgb.Dataset(data(inner), y[inner], params=LGB_PARAMS)
    stop_on = lgb.Dataset(data(val), y[val], reference=fit_on)
    booster = lgb.train(LGB_PARAMS, fit_on, model.n_estimators, valid_sets=[stop_on],
                        callbacks=[lgb.early_stopping(model.patience, verbose=False)])
    return booster.predict(float_matrix(None, test_cohort)), booster.best_iteration, \
        booster.predict(float_matrix(val))

def lasso():
    fitted = LassoPRS().fit(train_cohort, trait)
    return fitted.predict(test_cohort), None, fitted.predict(val_cohort)

ARMS = {'XGBoost, batches from byte codes (BoostingPRS)': ours,
        'XGBoost, one float32 matrix': xgboost_matrix,
        'LightGBM, one float32 matrix': lambda: lightgbm(float_matrix),
        'LightGBM, lgb.Sequence row batches': lambda: lightgbm(lambda rows: [Rows(rows)]),
        'LASSO (LassoPRS), same split': lasso}

if args.arm:  # a child: one arm in a process of its own
    start_mb, start = memory('VmRSS'), time.perf_counter()
    test_pred, rounds, val_pred = ARMS[args.arm]()
    np.savez(args.out, seconds=time.perf_counter() - start, peak_mb=memory('VmHWM') - start_mb, test_pred=test_pred,
             rounds=np.nan if rounds is None else rounds, val_pred=val_pred)
    sys.exit()

def fresh(name: str) -> dict:
    "The result of arm `name`, run in a fresh process: seconds, peak MB over its start, predictions, rounds."
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, __file__, '--threads', str(args.threads), '--arm', name, '--out', f'{tmp}/arm.npz']
        subprocess.run(command, check=True)
        return dict(np.load(f'{tmp}/arm.npz'))

print(f"scale {scale.name}: {cohort}; training {len(train):,} (inner {len(inner):,}, validation {len(val):,}), "
      f"test {len(test):,}; {args.threads} thread(s); xgboost {xgb.__version__}, lightgbm {lgb.__version__}")
print(f"the float32 matrix of the training cohort would take {len(train) * design.n_variants * 4 / 2**20:,.0f} MB")
rows, predictions = [], {}
chosen = [a for a in ARMS if not args.arms or any(w in a for w in args.arms)]
for name in chosen:
    result = fresh(name)
    predictions[name] = result['test_pred']
    rows.append(dict(arm=name, seconds=float(result['seconds']), peak_mb=float(result['peak_mb']),
                     rounds=float(result['rounds']), val_r2=r2(result['val_pred'], trait.y[train][val]),
                     test_r2=r2(result['test_pred'], trait.y[test])))
table = pd.DataFrame(rows)
with pd.option_context('display.width', 250): print(table.round(3).to_string(index=False))
if set(list(ARMS)[:2]) <= set(chosen):
    same = np.array_equal(*(predictions[k] for k in list(ARMS)[:2]))
    print(f"XGBoost from batches and from the float32 matrix give identical test predictions: {same}")

def grid_point(kind, depth, rate):
    fitted = BoostingPRS(max_depth=depth, learning_rate=rate, threads=args.threads).fit(train_cohort, traits[kind])
    return fitted.history_.val_rmse.min(), fitted.best_iteration_

if not args.no_grid:
    grid = [dict(trait=kind, max_depth=d, learning_rate=lr) for kind in traits for d in (1, 2, 3) for lr in (0.05, 0.1)]
    for g in grid: g['val_rmse'], g['rounds'] = grid_point(g['trait'], g['max_depth'], g['learning_rate'])
    grid = pd.DataFrame(grid)
    print("defaults, chosen on the validation part only (subsample 0.8, colsample_bytree 0.5, min_child_samples 20, "
          "reg_lambda 1 fixed):")
    table = grid.pivot_table(index=['max_depth', 'learning_rate'], columns='trait', values=['val_rmse', 'rounds'])
    table[('val_rmse', 'mean')] = table['val_rmse'].mean(axis=1)
    with pd.option_context('display.width', 250): print(table.round(4).to_string())
    depth, rate = table[('val_rmse', 'mean')].idxmin()
    print(f"lowest mean validation RMSE: max_depth={depth}, learning_rate={rate} "
          f"(BoostingPRS defaults: max_depth={model.max_depth}, learning_rate={model.learning_rate})")
