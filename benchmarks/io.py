"""Reading a VCF: Cohort.from_vcf (cyvcf2 and htslib) against plink2 --vcf --make-pgen on the same file; memory.

One cohort at GENOPRED_SCALE (study: 10,000 samples x 50,000 variants on 3 autosomes; ci: 1,000 x 6,000) is
simulated and written with tskit (io.write_vcf) as one plain-text VCF. Each reader runs alone in a fresh process:
  1. plink2 --vcf FILE --make-pgen --threads T (its peak RSS from getrusage of its process);
  2. Cohort.from_vcf(FILE) (peak RSS from /proc VmHWM, minus the interpreter's RSS before reading), after timing
     htslib's parse alone (cyvcf2's records and genotype arrays, nothing kept), the floor under any cyvcf2 reader;
  3. the same file bgzipped and indexed (.tbi, by pysam; not timed): plink2 on it with T threads, and
     Cohort.from_vcf(FILE.gz, workers=T), T processes each reading ranges of positions (their largest peak RSS
     from getrusage);
then, in the same process as 2., the store: Cohort.to_zarr and Cohort.from_zarr of the cohort read, and one CNN
epoch (CNNPredictor(kernel=13, epochs=1), an additive trait h² 0.5) on the store opened lazily (memory maps) and on
the cohort in memory. Prints seconds, records/s, the ratio (goal: ours within 2 x plink2's time), our peak memory
against the codes' bytes (goal: at most 1.5 x the codes' bytes + 0.5 GB) and the epochs' ratio (goal: <= 1.3 x).
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/io.py --threads 2 (alone: it times 2 cores)
"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from genopred_nb.config import get_scale
from genopred_nb.simulate import Cohort, simulate_cohort
from genopred_nb.io import plink_binary, write_vcf
from genopred_nb.phenotype import simulate_trait
from genopred_nb.read import read_phenotype  # and Cohort.from_vcf
from genopred_nb.io import write_pheno

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--threads', type=int, default=2,
                    help="plink2's and the CNN's threads, and our reader's processes on the indexed file")
parser.add_argument('--child', help='read this VCF with Cohort.from_vcf and report (used by the script itself)')

def rss(field: str) -> float:
    "MB of `field` ('VmRSS' now, 'VmHWM' peak) of this process, from /proc."
    return int(open('/proc/self/status').read().split(f'{field}:')[1].split()[0]) / 1024

def child(args):
    "Our reader alone in a fresh process; prints its measures as one JSON line."
    import cyvcf2  # here, not above: the reader's spawned processes import this file, and need none of these
    import genopred_nb.store  # Cohort.to_zarr, Cohort.from_zarr
    from genopred_nb.train import CNNPredictor
    start = time.perf_counter()
    for record in cyvcf2.VCF(args.child): record.genotype.array()  # htslib's parse, the floor under our reader
    htslib = time.perf_counter() - start
    start_mb, start = rss('VmRSS'), time.perf_counter()
    cohort = Cohort.from_vcf(args.child, sexes=Path(args.child).with_suffix('.sexes'), progress=False)
    seconds, peak = time.perf_counter() - start, rss('VmHWM') - start_mb
    codes = sum(g.nbytes for g in cohort.genotypes.values())
    gz, start = Path(args.child).with_suffix('.vcf.gz'), time.perf_counter()  # after the peak above is read
    Cohort.from_vcf(gz, sexes=Path(args.child).with_suffix('.sexes'), workers=args.threads, progress=False)
    parts = dict(seconds=time.perf_counter() - start,
                 worker_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    start = time.perf_counter(); cohort.to_zarr(Path(args.child).with_suffix('.vcz'), progress=False)
    written = time.perf_counter() - start
    start = time.perf_counter(); Cohort.from_zarr(Path(args.child).with_suffix('.vcz'), progress=False)
    opened = time.perf_counter() - start
    mapped = Cohort.from_zarr(Path(args.child).with_suffix('.vcz'), lazy=True, progress=False)
    y = read_phenotype(Path(args.child).with_suffix('.pheno'), cohort=cohort)
    fit = lambda data: CNNPredictor(kernel=13, epochs=1, threads=args.threads, progress=False).fit(data, y)
    fit(cohort.subset(individuals=np.arange(200)))  # compiles the kernels before anything is timed
    epoch = {}  # one epoch's fit (a validation pass included), from the store's memory maps and from memory
    for name, data in (('store', mapped), ('memory', cohort), ('store again', mapped)):  # is a gap the first's?
        start = time.perf_counter()
        fit(data)
        epoch[name] = time.perf_counter() - start
    print(json.dumps(dict(seconds=seconds, peak_mb=peak, codes_mb=codes / 2**20, n_variants=cohort.n_variants,
                          written=written, opened=opened, epoch=epoch, htslib=htslib, parts=parts)))


def main(args):
    import pysam
    scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
    n, m = (10_000, 50_000) if scale.name != 'ci' else (1_000, 6_000)
    length = 10e6 if scale.name != 'ci' else 1e6
    cohort = simulate_cohort(n, seed=1, n_autosomes=3, length=length, sex_chromosomes=False,
                             panel_density=m / 3 / (length / 1e6), progress=False)
    tmp = Path(tempfile.mkdtemp(prefix='genopred_io_'))
    vcf = tmp / 'cohort.vcf'
    texts = [open(write_vcf(cohort, c, tmp / f'{c}.vcf')).read().splitlines(True) for c in cohort.chromosomes]
    header = [l for l in texts[0] if l.startswith('#')]  # with every chromosome's ##contig line (and length)
    contigs = [l for t in texts for l in t if l.startswith('##contig')]
    with open(vcf, 'w') as out:
        out.writelines([l for l in header[:-1] if not l.startswith('##contig')] + contigs + header[-1:])
        for t in texts: out.writelines(l for l in t if not l.startswith('#'))
    pysam.tabix_index(os.fspath(shutil.copy(vcf, tmp / 'copy.vcf')), preset='vcf', force=True)  # bgzipped, .tbi
    for suffix in ('.vcf.gz', '.vcf.gz.tbi'): (tmp / f'copy{suffix}').rename(tmp / f'cohort{suffix}')
    write_pheno(cohort, simulate_trait(cohort, h2=0.5, seed=1), tmp / 'cohort.pheno')
    sexes = zip(cohort.samples.sample_id, cohort.samples.sex)
    (tmp / 'cohort.sexes').write_text(''.join(f'{s}\t{x}\n' for s, x in sexes))
    size = vcf.stat().st_size
    print(f"scale {scale.name}: {cohort}; one plain VCF of {size / 2**20:,.0f} MB")

    start = time.perf_counter()
    subprocess.run([plink_binary('plink2'), '--vcf', vcf, '--make-pgen', '--threads', str(args.threads),
                    '--out', tmp / 'plink'], check=True, capture_output=True)
    plink_seconds = time.perf_counter() - start
    plink_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    start = time.perf_counter()
    subprocess.run([plink_binary('plink2'), '--vcf', tmp / 'cohort.vcf.gz', '--make-pgen', '--threads',
                    str(args.threads), '--out', tmp / 'plink_gz'], check=True, capture_output=True)
    plink_gz = time.perf_counter() - start
    ours = json.loads(subprocess.run([sys.executable, __file__, '--child', str(vcf), '--threads', str(args.threads)],
                                     check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    print(f"plink2 --vcf --make-pgen ({args.threads} threads): {plink_seconds:.1f} s, "
          f"{cohort.n_variants / plink_seconds:,.0f} records/s, peak RSS {plink_mb:,.0f} MB")
    print(f"Cohort.from_vcf (1 thread): {ours['seconds']:.1f} s, "
          f"{ours['n_variants'] / ours['seconds']:,.0f} records/s, {size / 2**20 / ours['seconds']:,.0f} MB/s")
    print(f"  of which htslib's parse alone (cyvcf2 records and their genotype arrays): {ours['htslib']:.1f} s, "
          f"{ours['htslib'] / plink_seconds:.2f} x plink2's time")
    ratio = ours['seconds'] / plink_seconds
    print(f"ours / plink2: {ratio:.2f} x the time; goal <= 2 x: {'met' if ratio <= 2 else 'not met'}")
    parts = ours['parts']
    print(f"bgzipped and indexed: plink2 ({args.threads} threads) {plink_gz:.1f} s; Cohort.from_vcf(workers="
          f"{args.threads}) {parts['seconds']:.1f} s, {parts['seconds'] / plink_gz:.2f} x plink2's time, "
          f"{ours['seconds'] / parts['seconds']:.2f} x faster than one process on the plain file; largest worker's "
          f"peak RSS {parts['worker_mb']:,.0f} MB")
    goal = 1.5 * ours['codes_mb'] + 512
    print(f"peak RSS of Cohort.from_vcf {ours['peak_mb']:,.0f} MB for {ours['codes_mb']:,.0f} MB of codes; goal "
          f"<= 1.5 x codes + 0.5 GB = {goal:,.0f} MB: {'met' if ours['peak_mb'] <= goal else 'not met'}")
    print(f"store: Cohort.to_zarr {ours['written']:.1f} s, Cohort.from_zarr {ours['opened']:.1f} s")
    store, memory, again = (ours['epoch'][k] for k in ('store', 'memory', 'store again'))
    print(f"one CNN epoch ({args.threads} threads): from the store's memory maps {store:.1f} s (then {again:.1f} s "
          f"after the one from memory), from memory {memory:.1f} s; {store / memory:.2f} x; goal <= 1.3 x: "
          f"{'met' if store <= 1.3 * memory else 'not met'}")
    shutil.rmtree(tmp)

if __name__ == '__main__':  # the readers' processes are spawned: they import this file, and must not rerun it
    args = parser.parse_args()
    child(args) if args.child else main(args)
