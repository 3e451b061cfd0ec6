"""The chromosome-branch CNN: training and prediction speed, and peak memory against the genotype bytes.

Prints, on 2 torch threads, at GENOPRED_SCALE (default study):
  training and prediction samples/second of `CNNPredictor`'s network fed batch by batch from the 1-byte codes;
  the peer: the same network fed from a materialised float two-hot tensor (the usual way), on a subset small
  enough to materialise, with the tensor's bytes;
  the peak RSS of fitting on the whole cohort and predicting it, relative to its genotype bytes
  (goal: peak <= 2 x genotype bytes + 1 GB).
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/train.py
"""
import os, resource, time
import numpy as np, torch
import torch.nn.functional as F
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import validation_split
from genopred_nb.train import CNNPredictor, CodesDataset, _build, _outputs

torch.set_num_threads(2)
scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length, progress=False)
trait = simulate_trait(cohort, h2=0.5, seed=1)
gb = lambda b: b / 1e9
codes_bytes = sum(g.nbytes for g in cohort.genotypes.values())
print(f"scale {scale.name}: {cohort}; genotype codes {gb(codes_bytes):.2f} GB; 2 torch threads")

predictor = CNNPredictor(kernel=32, epochs=1, progress=False)  # a fixed kernel: the benchmark times the network, not ld_window
train, val = validation_split(cohort.n_individuals, fraction=0.2, seed=0)
model = _build(predictor, cohort, train)
y = torch.as_tensor((trait.y - trait.y.mean()) / trait.y.std(), dtype=torch.float32)

def epoch(batches, forward) -> float:
    "Seconds of one training epoch over `batches` (codes or features, target)."
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()
    start = time.perf_counter()
    for x, t in batches:
        loss = F.mse_loss(forward(x), t)
        opt.zero_grad(); loss.backward(); opt.step()
    return time.perf_counter() - start

data = CodesDataset(cohort, rows=train, chromosomes=model.chromosomes, y=y.numpy(), batch_size=predictor.batch_size)
t_train = epoch(((codes, t) for codes, _, t in data.loader(shuffle=True)), model)
everyone = CodesDataset(cohort, chromosomes=model.chromosomes, batch_size=predictor.batch_size)
start = time.perf_counter(); _outputs(model, everyone); t_predict = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1e3  # Linux: kB
print(f"codes, batch by batch: training {len(train) / t_train:,.0f} samples/s ({len(train):,} in {t_train:.1f} s); "
      f"prediction {cohort.n_individuals / t_predict:,.0f} samples/s ({cohort.n_individuals:,} in {t_predict:.1f} s)")
print(f"peak RSS so far (simulation, network, one epoch, prediction) {gb(peak):.2f} GB = {peak / codes_bytes:.2f} x genotype bytes; "
      f"goal <= 2 x genotype bytes + 1 GB = {gb(2 * codes_bytes + 1e9):.2f} GB: {'met' if peak <= 2 * codes_bytes + 1e9 else 'NOT met'}")

# The peer: the same network on a materialised float tensor of a subset (inputs encoded and centred once).
sub = train[:min(1000, len(train))]
with torch.no_grad():
    codes = CodesDataset(cohort, rows=sub, chromosomes=model.chromosomes, batch_size=len(sub)).__getitems__(range(len(sub)))[0]
    floats = {c: model.inputs[c](codes[c]) - model.inputs[c].centre_features() for c in model.chromosomes}  # centred once
float_bytes = sum(x.nbytes for x in floats.values())
zero = {c: torch.zeros_like(model.inputs[c].centre_features()) for c in model.chromosomes}
on_floats = lambda x: model.head(torch.cat([model.branches[c](x[c], zero[c]) for c in model.chromosomes], 1))[:, 0]
b = predictor.batch_size
order = torch.randperm(len(sub), generator=torch.Generator().manual_seed(0))
batches = [order[i:i + b] for i in range(0, len(sub), b)]
t_floats = epoch((({c: x[i] for c, x in floats.items()}, y[sub][i]) for i in batches), on_floats)
small = CodesDataset(cohort, rows=sub, chromosomes=model.chromosomes, y=y.numpy(), batch_size=b)
t_codes = epoch(((codes, t) for codes, _, t in small.loader(shuffle=True)), model)
print(f"peer, {len(sub):,} individuals: float tensor {len(sub) / t_floats:,.0f} samples/s, codes {len(sub) / t_codes:,.0f} samples/s "
      f"(ratio codes/floats {t_floats / t_codes:.2f}); the float tensor takes {gb(float_bytes):.2f} GB for {len(sub):,} individuals "
      f"({float_bytes / sum(codes[c].nbytes for c in codes):.0f} x their codes; {gb(float_bytes * cohort.n_individuals / len(sub)):.1f} GB for the cohort)")
