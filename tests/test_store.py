"genopred_nb.store: VCF Zarr stores written atomically and read back whole; predictions out by sample id."
import numpy as np, pandas as pd, pytest, zarr
import xarray as xr
from genopred_nb.simulate import Cohort, simulate_cohort
from genopred_nb.store import write_predictions


@pytest.fixture(scope='module')
def cohort():
    return simulate_cohort(150, seed=8, n_autosomes=2, length=3e5, missing_rate=0.02, ambiguity_rate=0.01,
                           progress=False)


def test_sample_chunks_and_replacing_a_store(cohort, tmp_path):
    "A store chunked over samples reads back whole; writing over it replaces it and leaves nothing beside it."
    path = cohort.to_zarr(tmp_path / 'c.vcz', variants_chunk=64, samples_chunk=40, progress=False)
    assert zarr.open_group(path, mode='r')['call_genotype'].chunks == (64, 40, 2)
    women = cohort.subset(individuals=np.flatnonzero(cohort.samples.sex == 'F'))
    women.to_zarr(path, progress=False)
    back = Cohort.from_zarr(path, progress=False)
    for c in women.chromosomes: np.testing.assert_array_equal(back.genotypes[c], women.genotypes[c])
    pd.testing.assert_frame_equal(back.samples, women.samples)
    assert [p.name for p in tmp_path.iterdir()] == ['c.vcz']


def test_the_vcf_zarr_fields_as_xarray_reads_them(cohort, tmp_path):
    ds = xr.open_zarr(cohort.to_zarr(tmp_path / 'c.vcz', progress=False), consolidated=False)
    assert {'call_genotype', 'call_genotype_mask', 'variant_contig', 'variant_position', 'variant_allele',
            'sample_id', 'contig_id'} <= set(ds.data_vars)
    assert ds.call_genotype.dims == ('variants', 'samples', 'ploidy') and ds.attrs['vcf_zarr_version'] == '0.5'
    g = ds.call_genotype.values
    assert (ds.call_genotype_mask.values == (g < 0)).all()
    missing = cohort.genotypes['1'] == 0xFF
    assert (g[:missing.shape[1]][missing.T] == -1).all()


def test_a_broken_cohort_is_not_written(cohort, tmp_path):
    broken = cohort.subset()
    broken.genotypes['1'] = broken.genotypes['1'][:, :-1]
    with pytest.raises(ValueError, match=r"does not hold together: genotypes\['1'\] has .* fix those fields first"):
        broken.to_zarr(tmp_path / 'b.vcz')
    assert not (tmp_path / 'b.vcz').exists()


def test_predictions_by_sample_id(cohort, tmp_path):
    class Mean:
        def predict(self, c): return np.full(c.n_individuals, 1.5)
    table = write_predictions({'mean': Mean()}, cohort, tmp_path / 'p.tsv')
    back = pd.read_csv(tmp_path / 'p.tsv', sep='\t')
    assert back.columns.tolist() == ['sample_id', 'mean'] and (back['mean'] == 1.5).all()
    assert back.sample_id.tolist() == cohort.samples.sample_id.tolist() == table.sample_id.tolist()


def test_a_lazy_store_maps_its_codes_read_only(cohort, tmp_path):
    path = cohort.to_zarr(tmp_path / 'c.vcz', progress=False)
    mapped = Cohort.from_zarr(path, lazy=True, progress=False)
    for c in cohort.chromosomes:
        assert isinstance(mapped.genotypes[c], np.memmap) and not mapped.genotypes[c].flags.writeable
        np.testing.assert_array_equal(mapped.genotypes[c], cohort.genotypes[c])
    np.testing.assert_array_equal(mapped.subset(individuals=[3, 1]).genotypes['X'], cohort.genotypes['X'][[3, 1]])


def test_lazy_needs_a_store_of_this_package(cohort, tmp_path):
    path = cohort.to_zarr(tmp_path / 'c.vcz', progress=False)
    root = zarr.open_group(path, mode='r+')
    del root.attrs['genopred_nb_store']
    with pytest.raises(ValueError, match='lazy=True but .* was not written by Cohort.to_zarr'):
        Cohort.from_zarr(path, lazy=True, progress=False)
