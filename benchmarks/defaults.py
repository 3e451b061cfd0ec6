"""How the CNN's defaults are chosen: on validation R² only, over two simulation pipelines and two traits.

Cases: two pipelines x two traits. The size comes from GENOPRED_SCALE (default study): n = scale.n_individuals // 2
diploid individuals and 2 autosomes of scale.length / 2 bp each (ci: 500 x 2 x 0.5 Mb; study: 5,000 x 2 x 5 Mb);
--n and --length override them for a quick try.
  - "ours": simulate_cohort (constant size 1e4, autosomes only, seed 1); traits from simulate_trait.
  - "stdpopsim": HomSap OutOfAfrica_3G09, n CEU individuals, chr20 and chr21 from 20 Mb on (mean recombination rate of
    each chromosome: no genetic map; the model's mutation rate), msprime engine with its default JC69 nucleotide
    mutations; the additive trait from tstrait, the non-additive one from our simulate_trait (tstrait has no dominance
    or epistasis).
  Traits: h² 0.5; "additive" (100 causal sites, seed 1) and "2/3 non-additive" (additive, dominance and epistasis 1/3
  each, 100 causal sites or pairs per kind, seed 2; as in nbs/22_nonadditive).
Split: the first 80% of individuals fit, the last 20% test. Every fit stops on its own inner validation part (the
estimator's validation=0.2, seed 0): CNNPredictor keeps the epoch of least validation loss, LassoPRS the λ of best
validation R². Option sets vary one CNNPredictor option at a time from today's defaults ({}); sets naming options the
installed CNNPredictor lacks (e.g. `linear`) are skipped with a note; sets of several options (--grid) are fitted and
reported but choose nothing.
Prints a line per fit, then:
  1. the per-fit table (also saved to benchmarks/results/defaults_<scale>.csv): validation R² at the kept epoch or λ,
     test R² (reported, never used to choose), epochs run (LASSO: λ on the path), epoch kept, seconds;
  2. the chosen value of each option: the highest mean validation R² over the four cases;
  3. test R² of the chosen set (fitted once more if no single fit had it) against today's defaults and LASSO;
  4. test R² of the CNN with a linear path (each penalty) against LASSO and the plain CNN, per case.
Run: GENOPRED_SCALE=study OMP_NUM_THREADS=2 NUMBA_NUM_THREADS=2 nice .venv/bin/python benchmarks/defaults.py --threads 2
"""
import argparse, json, os, tempfile, time
from importlib.metadata import version
import numpy as np, pandas as pd, stdpopsim, tstrait
from genopred_nb.config import get_scale
from genopred_nb.simulate import Cohort, simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.evaluate import r2_corr
from genopred_nb.lasso import LassoPRS
from genopred_nb.train import CNNPredictor

GRID = [{}] + [{'l1': v} for v in (0, 1e-4, 1e-3, 1e-2)] + [{'patience': v} for v in (3, 6, 10)] \
    + [{'channels': v} for v in (8, 16, 32)] + [{'linear': v} for v in (1e-3, 1e-2, 3e-2, 1e-1)]
NONADDITIVE = {'additive': 1 / 3, 'dominance': 1 / 3, 'epistasis': 1 / 3}  # 2/3 non-additive, as nbs/22_nonadditive
N_CAUSAL = 100

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--threads', type=int, default=1, help='torch threads of every CNN fit')
parser.add_argument('--grid', type=json.loads, default=GRID,
                    help='JSON list of CNNPredictor option dicts, replacing the default grid; {} is always fitted')
parser.add_argument('--n', type=int, help='individuals per cohort (default: scale.n_individuals // 2)')
parser.add_argument('--length', type=float, help='bp per autosome or contig (default: scale.length / 2)')
args = parser.parse_args()

scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
n, length = args.n or scale.n_individuals // 2, int(args.length or scale.length / 2)
out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results', f'defaults_{scale.name}.csv')
print(f"scale {scale.name}: {n:,} individuals x 2 autosomes of {length / 1e6:g} Mb per pipeline; "
      f"{args.threads} thread(s); stdpopsim {stdpopsim.__version__}, tstrait {version('tstrait')}", flush=True)

def tstrait_additive(tree_sequences: dict, seed: int) -> np.ndarray:
    "An additive trait from tstrait, h² 0.5 over both contigs, in ts individual order (= the cohort's order)."
    # tstrait works on one tree sequence: draw N_CAUSAL / 2 causal sites and their genetic values on each contig, sum
    # them, then add one environmental noise for h² 0.5 of the total (sim_phenotype per contig would add noise twice).
    g = np.zeros(n)
    for k, ts in enumerate(tree_sequences.values()):
        effects = tstrait.sim_trait(ts, model=tstrait.trait_model(distribution='normal', mean=0, var=1),
                                    num_causal=N_CAUSAL // 2, random_seed=seed + k)
        values = tstrait.genetic_value(ts, effects)
        g[values.individual_id.to_numpy()] += values.genetic_value.to_numpy()
    genetic = pd.DataFrame(dict(trait_id=0, individual_id=np.arange(n), genetic_value=g))
    return tstrait.sim_env(genetic, h2=0.5, random_seed=seed).phenotype.to_numpy()

def stdpopsim_cohort(seed: int) -> Cohort:
    "n CEU individuals of OutOfAfrica_3G09 on segments of chr20 and chr21, as an autosome-only Cohort."
    species = stdpopsim.get_species('HomSap')
    model = species.get_demographic_model('OutOfAfrica_3G09')
    engine, tree_sequences = stdpopsim.get_engine('msprime'), {}
    for k, chrom in enumerate(('chr20', 'chr21')):
        contig = species.get_contig(chrom, genetic_map=None, left=20_000_000, right=20_000_000 + length,
                                    mutation_rate=model.mutation_rate)
        ts = engine.simulate(model, contig, {'CEU': n}, seed=seed + k).trim()  # coordinates from the segment's start
        if ts.num_individuals != n or any(len(i.nodes) != 2 for i in ts.individuals()):
            raise RuntimeError(f"{chrom}: expected {n} diploid individuals, got {ts.num_individuals}")
        tree_sequences[str(k + 1)] = ts  # Cohort row k is ts individual k (from_tree_sequences keeps their order)
    return Cohort.from_tree_sequences(tree_sequences, sexes=['F'] * n, seed=seed, progress=False,
                                      meta=dict(pipeline='stdpopsim HomSap OutOfAfrica_3G09 CEU, chr20 + chr21'))

def cases() -> dict:
    "(pipeline, trait) -> (cohort, phenotype in cohort order)."
    ours = simulate_cohort(n, seed=1, n_autosomes=2, length=length, sex_chromosomes=False, progress=False)
    theirs = stdpopsim_cohort(seed=1)
    return {('ours', 'additive'): (ours, simulate_trait(ours, h2=0.5, seed=1, n_causal=N_CAUSAL).y),
            ('ours', '2/3 non-additive'): (ours, simulate_trait(ours, h2=0.5, seed=2, architecture=NONADDITIVE).y),
            ('stdpopsim', 'additive'): (theirs, tstrait_additive(theirs.tree_sequences, seed=1)),
            ('stdpopsim', '2/3 non-additive'): (theirs, simulate_trait(theirs, h2=0.5, seed=2,
                                                                        architecture=NONADDITIVE).y)}

def r2(y, pred) -> float: return r2_corr(y, pred) if np.ptp(pred) > 0 else 0.0  # a constant predictor: 0

DEFAULTS = CNNPredictor().get_params()

def label(options: dict) -> str:
    "The option set as JSON, without the options it leaves at today's defaults ('{}': the defaults)."
    return json.dumps({k: v for k, v in sorted(options.items()) if DEFAULTS[k] != v})

grid, seen = {}, set()
for options in [{}] + args.grid:
    if missing := sorted(set(options) - set(DEFAULTS)):
        print(f"skipped {json.dumps(options)}: the installed CNNPredictor has no option {', '.join(missing)}")
    elif (key := label(options)) not in seen: seen.add(key); grid[key] = options

def fit(case, name: str, options: dict, data) -> dict:
    "Fit LASSO (options None) or the CNN with `options` on the first 80% of `data`; its row of the table."
    cohort, y = data
    is_test = np.arange(cohort.n_individuals) >= int(0.8 * cohort.n_individuals)
    train, test = cohort.subset(individuals=~is_test), cohort.subset(individuals=is_test)
    start = time.perf_counter()
    if options is None:
        fitted = LassoPRS().fit(train, y[~is_test])
        val_r2, epochs, kept = float(fitted.path_.val_r2.iloc[fitted.best_]), len(fitted.path_), fitted.best_ + 1
    else:
        fitted = CNNPredictor(progress=False, threads=args.threads, **options).fit(train, y[~is_test])
        h, kept = fitted.history_, fitted.best_epoch_
        val_r2, epochs = float(h.val_r2.iloc[kept - 1]), len(h)  # best_epoch_ counts from 1, history rows from 0
    row = dict(pipeline=case[0], trait=case[1], model=name, options=label(options or {}), val_r2=val_r2,
               test_r2=r2(y[is_test], fitted.predict(test)), epochs=epochs, kept=kept,
               seconds=time.perf_counter() - start)
    print(' | '.join(f'{k} {v:.3f}' if isinstance(v, float) else f'{k} {v}' for k, v in row.items()), flush=True)
    return row

def save(rows: list):
    "The table so far, written atomically (a temporary file in the same folder, then os.replace)."
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with tempfile.NamedTemporaryFile('w', dir=os.path.dirname(out_path), suffix='.csv', delete=False) as f:
        pd.DataFrame(rows).to_csv(f, index=False)
    os.replace(f.name, out_path)

data, rows = cases(), []
for case, (cohort, _) in data.items(): print(f"{case[0]}, {case[1]}: {cohort}", flush=True)
for case in data:
    rows.append(fit(case, 'LASSO', None, data[case])); save(rows)
    for key, options in grid.items(): rows.append(fit(case, 'CNN', options, data[case])); save(rows)

def mean_val(options: str) -> float:
    table = pd.DataFrame(rows)
    return table[(table.model == 'CNN') & (table.options == options)].val_r2.mean()

chosen = {}  # option -> value with the best mean validation R²: its single-option sets and the defaults ('{}')
for option in sorted({k for o in grid.values() if len(o) == 1 for k in o}):
    values = {json.dumps(DEFAULTS[option]): '{}'} | {json.dumps(o[option]): key for key, o in grid.items()
                                                     if set(o) == {option}}
    scores = {value: mean_val(key) for value, key in values.items()}
    chosen[option] = json.loads(max(scores, key=scores.get))
    print(f"{option}: mean validation R² " + ', '.join(f'{v} {s:.4f}' for v, s in scores.items())
          + f" -> chosen {json.dumps(chosen[option])} (today {json.dumps(DEFAULTS[option])})", flush=True)
if (best := label(chosen)) not in grid:  # the chosen values together: fitted once more, to report its test R²
    for case in data: rows.append(fit(case, 'CNN', chosen, data[case])); save(rows)
table = pd.DataFrame(rows)
with pd.option_context('display.width', 120, 'display.max_rows', None): print(table.round(4).to_string(index=False))
print(f"saved {os.path.relpath(out_path)}")
together, today = mean_val(label(chosen)), mean_val('{}')
print(f"the chosen values together {label(chosen)}: mean validation R² {together:.4f} against the defaults' "
      f"{today:.4f} -> {'adopt them' if together > today else 'keep the defaults'}", flush=True)

def test_r2(arms: dict) -> pd.DataFrame:
    "Test R² by case (columns) of each arm (rows): name -> (model, options label)."
    pick = lambda model, options: table[(table.model == model) & (table.options == options)].set_index(
        ['pipeline', 'trait']).test_r2
    return pd.DataFrame({name: pick(*arm) for name, arm in arms.items()}).T

print(f"test R² (reported only) of the chosen set {best} against today's defaults and LASSO:")
print(test_r2({f'CNN chosen {best}': ('CNN', best), 'CNN today {}': ('CNN', '{}'),
               'LASSO': ('LASSO', '{}')}).round(4).to_string())
linear = [key for key, o in grid.items() if set(o) == {'linear'}]
if linear:
    print("test R² (reported only) of the CNN with a linear path against LASSO and the plain CNN:")
    arms = {f'CNN {key}': ('CNN', key) for key in linear} | {'CNN plain {}': ('CNN', '{}'), 'LASSO': ('LASSO', '{}')}
    print(test_r2(arms).round(4).to_string())
else: print("no linear-path arms (the grid has none, or the installed CNNPredictor has no `linear` option)")
