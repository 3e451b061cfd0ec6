"""The chromosome-branch CNN: training speed of the first layer by lookups against today's convolution, at equal R².

One cohort at GENOPRED_SCALE (default study), seed 1, an additive trait (h² 0.5); the first 80% train, the last 20%
test. Prints, on 2 torch and numba threads:
  1. one training epoch and one prediction pass of the same network (kernel 32, stride 16), batch by batch from the
     1-byte codes, with the first layer computed by table lookups (`lookup_conv`, the default) and by the
     convolution over two-hot features it replaced: samples/second and their ratio (after one untimed
     batch, in which numba compiles the lookup kernels if its cache is cold);
  2. the same two ways through whole fits (`CNNPredictor(kernel=32, epochs=--epochs)`, same seed): training
     samples/second over the fit, validation R² of the kept epoch, and test R² to four decimals (equal to the third
     is the goal: the two are one function, differing by float rounding only);
     Between 1 and 2: the peak RSS so far against the genotype bytes (goal: peak <= 2 x genotype bytes + 1 GB; the
     whole fits come after it, since they copy the cohort into training and test parts);
  3. the peer: the network fed from a materialised float two-hot tensor (the usual way) on a subset small enough to
     materialise, with the tensor's bytes.
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/train.py
"""
import argparse, os, resource, time
from contextlib import contextmanager
import numpy as np, torch, numba
import torch.nn.functional as F
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import validation_split
from genopred_nb.evaluate import r2_corr
from genopred_nb import cnn
from genopred_nb.train import CNNPredictor, CodesDataset, _build, _outputs

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--epochs', type=int, default=8, help='epochs of each whole fit (no early stop before)')
args = parser.parse_args()
torch.set_num_threads(2); numba.set_num_threads(2)
scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length, progress=False)
trait = simulate_trait(cohort, h2=0.5, seed=1)
gb = lambda b: b / 1e9
codes_bytes = sum(g.nbytes for g in cohort.genotypes.values())
print(f"scale {scale.name}: {cohort}; genotype codes {gb(codes_bytes):.2f} GB; 2 torch and numba threads")

@contextmanager
def first_layer(lookup: bool):
    "Networks built inside compute their first layer by lookups (True) or by today's convolution (False)."
    init = cnn.Branch.__init__
    def built(self, *a, **k):
        init(self, *a, **k)
        self.lookup = self.lookup and lookup
    cnn.Branch.__init__ = built
    try: yield
    finally: cnn.Branch.__init__ = init

predictor = CNNPredictor(kernel=32, epochs=1, progress=False)  # a fixed kernel: the benchmark times the network
train, val = validation_split(cohort.n_individuals, fraction=0.2, seed=0)
y = torch.as_tensor((trait.y - trait.y.mean()) / trait.y.std(), dtype=torch.float32)

def epoch(model, batches, forward) -> float:
    "Seconds of one training epoch over `batches` (codes or features, target)."
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()
    start = time.perf_counter()
    for x, t in batches:
        loss = F.mse_loss(forward(x), t)
        opt.zero_grad(); loss.backward(); opt.step()
    return time.perf_counter() - start

def warm_up(model, data) -> None:
    "One forward and backward pass, untimed: on a cold cache numba compiles the lookup kernels here."
    codes, _, t = next(iter(data.loader()))
    F.mse_loss(model(codes), t).backward()
    model.zero_grad()

data = CodesDataset(cohort, rows=train, chromosomes=cohort.chromosomes, y=y.numpy(), batch_size=predictor.batch_size)
everyone = CodesDataset(cohort, chromosomes=cohort.chromosomes, batch_size=predictor.batch_size)
speed = {}
for lookup in (True, False):
    with first_layer(lookup): model = _build(predictor, cohort, train)
    warm_up(model, data)
    t_train = epoch(model, ((codes, t) for codes, _, t in data.loader(shuffle=True)), model)
    start = time.perf_counter(); _outputs(model, everyone); t_predict = time.perf_counter() - start
    speed[lookup] = len(train) / t_train, cohort.n_individuals / t_predict
    print(f"{'lookups' if lookup else 'convolution'}: training {speed[lookup][0]:,.0f} samples/s, "
          f"prediction {speed[lookup][1]:,.0f} samples/s", flush=True)
print(f"lookups / convolution: training {speed[True][0] / speed[False][0]:.2f} x, "
      f"prediction {speed[True][1] / speed[False][1]:.2f} x samples/s")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1e3  # Linux: kB
print(f"peak RSS of simulation, networks, epochs and predictions {gb(peak):.2f} GB = {peak / codes_bytes:.2f} x "
      f"genotype bytes; goal <= 2 x genotype bytes + "
      f"1 GB = {gb(2 * codes_bytes + 1e9):.2f} GB: {'met' if peak <= 2 * codes_bytes + 1e9 else 'NOT met'}")

n = cohort.n_individuals
is_test = np.arange(n) >= int(0.8 * n)
fit_cohort, test_cohort = cohort.subset(individuals=~is_test), cohort.subset(individuals=is_test)
fits = {}
for lookup in (True, False):
    with first_layer(lookup):
        start = time.perf_counter()
        fitted = CNNPredictor(kernel=32, epochs=args.epochs, patience=args.epochs, threads=2,
                              progress=False).fit(fit_cohort, trait.y[~is_test])
        seconds = time.perf_counter() - start
    assert all(b.lookup == lookup for b in fitted.model_.branches.values())
    fits[lookup] = fitted.n_fit_ * len(fitted.history_) / seconds, r2_corr(trait.y[is_test], fitted.predict(test_cohort))
    print(f"{'lookups' if lookup else 'convolution'}: fit of {len(fitted.history_)} epochs in {seconds:.0f} s, "
          f"{fits[lookup][0]:,.0f} training samples/s (validation passes included); kept epoch {fitted.best_epoch_}, "
          f"validation R² {fitted.history_.val_r2.max():.4f}, test R² {fits[lookup][1]:.4f}", flush=True)
print(f"whole fits, lookups / convolution: {fits[True][0] / fits[False][0]:.2f} x samples/s; test R² "
      f"{fits[True][1]:.4f} against {fits[False][1]:.4f}: "
      f"{'equal' if round(fits[True][1], 3) == round(fits[False][1], 3) else 'NOT equal'} to the third decimal")


# The peer: the same network on a materialised float tensor of a subset (inputs encoded and centred once).
model = _build(predictor, cohort, train)
sub = train[:min(1000, len(train))]
with torch.no_grad():
    codes = CodesDataset(cohort, rows=sub, batch_size=len(sub)).__getitems__(range(len(sub)))[0]
    floats = {c: model.inputs[c](codes[c]) - model.inputs[c].centre_features() for c in model.chromosomes}  # centred once
float_bytes = sum(x.nbytes for x in floats.values())
zero = {c: torch.zeros_like(model.inputs[c].centre_features()) for c in model.chromosomes}
on_floats = lambda x: model.head(torch.cat([model.branches[c](x[c], zero[c]) for c in model.chromosomes], 1))[:, 0]
b = predictor.batch_size
order = torch.randperm(len(sub), generator=torch.Generator().manual_seed(0))
batches = [order[i:i + b] for i in range(0, len(sub), b)]
t_floats = epoch(model, (({c: x[i] for c, x in floats.items()}, y[sub][i]) for i in batches), on_floats)
small = CodesDataset(cohort, rows=sub, y=y.numpy(), batch_size=b)
t_codes = epoch(model, ((codes, t) for codes, _, t in small.loader(shuffle=True)), model)
print(f"peer, {len(sub):,} individuals: float tensor (convolution) {len(sub) / t_floats:,.0f} samples/s, codes (lookups) "
      f"{len(sub) / t_codes:,.0f} samples/s (ratio {t_floats / t_codes:.2f}); the float tensor takes "
      f"{gb(float_bytes):.2f} GB for {len(sub):,} individuals ({float_bytes / sum(codes[c].nbytes for c in codes):.0f} x "
      f"their codes; {gb(float_bytes * cohort.n_individuals / len(sub)):.1f} GB for the cohort)")
