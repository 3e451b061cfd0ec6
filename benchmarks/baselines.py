"""The classical baselines against their peers, on one exported cohort at GENOPRED_SCALE (default study).

Prints, for the same individuals and variants:
  our GWAS / plink2 --glm (time), our clumping / plink1.9 --clump (time, and whether the index variants agree),
  our LASSO / scikit-learn LassoCV (time and test R², on the 5,000 variants with the smallest GWAS p).
Run: GENOPRED_SCALE=study .venv/bin/python benchmarks/baselines.py
"""
import os, tempfile, time, warnings
import numpy as np, pandas as pd
from sklearn.linear_model import LassoCV
from genopred_nb.config import get_scale
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.design import DosageDesign
from genopred_nb.gwas import gwas
from genopred_nb.clump import clump
from genopred_nb.lasso import LassoPRS
from genopred_nb.io import write_bed, write_pheno, run_plink, plink_ids

def timed(f):
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start

def r2(a, b): return float(np.corrcoef(a, b)[0, 1] ** 2)

scale = get_scale(os.environ.get('GENOPRED_SCALE', 'study'))
cohort = simulate_cohort(scale.n_individuals, seed=1, n_autosomes=scale.n_autosomes, length=scale.length, progress=False)
trait = simulate_trait(cohort, h2=0.5, seed=1)
n = cohort.n_individuals
train, test = np.arange(int(0.8 * n)), np.arange(int(0.8 * n), n)
print(f"scale {scale.name}: {cohort}; training {len(train):,}, test {len(test):,}; 2 cores")
small = cohort.subset(individuals=np.arange(200))  # compile the numba kernels first (cached on disk after the first run)
_, t_jit = timed(lambda: clump(gwas(small, trait, design=(d := DosageDesign.fit(small))), small, design=d) is not None
                 and LassoPRS(n_lambdas=3).fit(small, trait))
print(f"warm-up on 200 individuals (numba compilation, when not cached yet): {t_jit:.1f} s")
rows = []
with tempfile.TemporaryDirectory() as tmp:
    design, t_design = timed(lambda: DosageDesign.fit(cohort, rows=train))
    write_bed(cohort, f'{tmp}/cohort', design=design, rows=train)
    write_pheno(cohort, trait, f'{tmp}/pheno.txt', rows=train)

    ours, t_gwas = timed(lambda: gwas(cohort, trait, design=design, rows=train))
    plink = run_plink('plink2', '--bfile', f'{tmp}/cohort', '--pheno', f'{tmp}/pheno.txt', '--glm', 'allow-no-covars', 'no-x-sex',
                      out_dir=tmp, out='glm')
    glm = pd.read_csv(plink['y.glm.linear'], sep='\t', dtype={'#CHROM': str})
    agree = np.corrcoef(-np.log10(glm.P.to_numpy()), ours.log10_p.to_numpy())[0, 1]
    rows.append(('GWAS / plink2 --glm', t_gwas, plink.seconds,
                 f'corr of -log10 p {agree:.6f}; coding the dosages (once, like writing the .bed) {t_design:.1f} s more'))

    index, t_clump = timed(lambda: clump(ours, cohort, design=design, rows=train, r2=0.1, kb=250))
    pd.DataFrame({'SNP': plink_ids(design), 'P': ours.p.to_numpy()}).to_csv(f'{tmp}/assoc.txt', sep=' ', index=False)
    plink = run_plink('plink1.9', '--bfile', f'{tmp}/cohort', '--clump', f'{tmp}/assoc.txt', '--clump-p1', 1, '--clump-p2', 1,
                      '--clump-r2', 0.1, '--clump-kb', 250, out_dir=tmp, out='clump')
    theirs = set(pd.read_csv(plink['clumped'], sep=r'\s+').SNP)
    same = set(plink_ids(design)[index]) == theirs
    rows.append(('clumping / plink1.9 --clump', t_clump, plink.seconds, f'{len(index):,} index variants, identical to PLINK: {same}'))

top = np.sort(ours.nsmallest(5000, 'p').variant.to_numpy())
screened = cohort.subset(variants=top, chromosomes=list(design.codings))
fit_train, fit_test = screened.subset(individuals=train), screened.subset(individuals=test)
lasso, t_lasso = timed(lambda: LassoPRS().fit(fit_train, trait))
r2_ours = r2(lasso.predict(fit_test), trait.y[test])
d = DosageDesign.fit(fit_train)
x_train, x_test = d.matrix(fit_train), d.matrix(fit_test)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    sk, t_sk = timed(lambda: LassoCV(cv=5, n_jobs=2, random_state=0).fit(x_train, trait.y[train]))
r2_sk = r2(sk.predict(x_test), trait.y[test])
rows.append(('LASSO / scikit-learn LassoCV (5,000 variants)', t_lasso, t_sk,
             f'test R² {r2_ours:.3f} vs {r2_sk:.3f}; scikit-learn warned {len(caught)} times that it did not converge'))

table = pd.DataFrame(rows, columns=['comparison', 'ours (s)', 'peer (s)', 'check'])
table.insert(3, 'ratio', (table['ours (s)'] / table['peer (s)']).round(2))
with pd.option_context('display.max_colwidth', None, 'display.width', 250): print(table.round(2).to_string(index=False))
