"""Time `simulate_cohort` against bare msprime (ancestry + mutations of the same chromosomes) and report peak memory.

    python benchmarks/simulate.py            # at GENOPRED_SCALE (default ci); GENOPRED_SCALE=study for the study's size

Each side runs in its own process, so each peak RSS is its own.
"""
import json, os, resource, subprocess, sys, time
import msprime, numpy as np
from genopred_nb.config import get_scale


def bare_msprime(n, n_autosomes, length, seed):
    "Ancestry and JC69 mutations of the same chromosomes as `simulate_cohort`: autosomes, X (mixed ploidy), Y."
    n_f = n // 2
    plans = [dict(samples=n, population_size=1e4, recombination_rate=1e-8)] * n_autosomes + [
        dict(samples=[msprime.SampleSet(n_f, ploidy=2), msprime.SampleSet(n - n_f, ploidy=1)], population_size=7.5e3, recombination_rate=2e-8 / 3),
        dict(samples=n - n_f, population_size=5e3, recombination_rate=0, ploidy=1)]
    for k, plan in enumerate(plans):
        ts = msprime.sim_ancestry(**plan, sequence_length=length, random_seed=seed + k)
        msprime.sim_mutations(ts, rate=1e-8, model=msprime.JC69(), random_seed=seed + k)


def run(side):
    s = get_scale()
    start = time.perf_counter()
    if side == 'msprime': bare_msprime(s.n_individuals, s.n_autosomes, s.length, seed=1)
    else:
        from genopred_nb.simulate import simulate_cohort
        c = simulate_cohort(s.n_individuals, seed=1, n_autosomes=s.n_autosomes, length=s.length, progress=False)
    out = dict(seconds=time.perf_counter() - start, peak_rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6)
    if side == 'ours': out |= dict(variants=c.n_variants, genotype_gb=sum(g.nbytes for g in c.genotypes.values()) / 1e9)
    print(json.dumps(out))


if __name__ == '__main__':
    if len(sys.argv) > 1: run(sys.argv[1]); sys.exit()
    s = get_scale()
    res = {side: json.loads(subprocess.run([sys.executable, __file__, side], check=True, capture_output=True, text=True).stdout)
           for side in ('msprime', 'ours')}
    m, o = res['msprime'], res['ours']
    print(f"scale {s.name}: {s.n_individuals:,} individuals, {s.n_autosomes} x {s.length / 1e6:g} Mb autosomes + X + Y")
    print(f"bare msprime (ancestry + mutations): {m['seconds']:6.1f} s, peak RSS {m['peak_rss_gb']:.2f} GB")
    print(f"simulate_cohort (+ panel, codes):    {o['seconds']:6.1f} s, peak RSS {o['peak_rss_gb']:.2f} GB "
          f"({o['variants']:,} panel variants, {o['genotype_gb']:.2f} GB of codes)")
    print(f"time ratio simulate_cohort / msprime = {o['seconds'] / m['seconds']:.2f}; peak RSS ratio = {o['peak_rss_gb'] / m['peak_rss_gb']:.2f}")
