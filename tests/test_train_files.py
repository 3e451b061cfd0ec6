"CNNPredictor's files: atomic writes that survive a kill, checksums that catch damage, fingerprints that see genotypes."
import os, subprocess, sys, time
import numpy as np, pytest, torch
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.encode import codes_from_strings
from genopred_nb.train import CNNPredictor

torch.set_num_threads(1)  # the machine's cores are shared
MISSING_CALL = codes_from_strings(['NN'])[0]


@pytest.fixture(scope='module')
def small():
    cohort = simulate_cohort(200, seed=11, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=11, n_causal=10)


@pytest.fixture(scope='module')
def fitted(small):
    cohort, trait = small
    return CNNPredictor(kernel=6, epochs=1, hidden=[4], threads=1, progress=False).fit(cohort, trait)


def with_missing_calls(cohort, share=0.1, seed=0):
    "A copy of `cohort` with `share` of chromosome 1's calls set to missing."
    other = cohort.subset(individuals=np.arange(cohort.n_individuals))
    g = other.genotypes['1']
    g[np.random.default_rng(seed).random(g.shape) < share] = MISSING_CALL
    return other


def test_checkpoint_refused_on_the_same_cohort_with_missing_calls(small, tmp_path):
    cohort, trait = small
    opts = dict(kernel=6, threads=1, progress=False)
    CNNPredictor(epochs=1, **opts).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')
    with pytest.raises(ValueError, match=r"checkpoint '.*ck\.pt' was written while fitting other data \(samples, "
                                         r"genotypes or phenotype differ\); give a new checkpoint path"):
        CNNPredictor(epochs=2, **opts).fit(with_missing_calls(cohort), trait, checkpoint=tmp_path / 'ck.pt')
    resumed = CNNPredictor(epochs=2, **opts).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')  # the same data resumes
    assert list(resumed.history_.epoch) == [1, 2]


def test_flipped_byte_is_refused_never_loaded_differently(small, fitted, tmp_path):
    cohort, _ = small
    fitted.save(tmp_path / 'p.pt')
    raw, expected = (tmp_path / 'p.pt').read_bytes(), fitted.predict(cohort)
    weight = fitted.model_.head[0].weight.detach().numpy().tobytes()
    inside = raw.find(weight)  # the first dense layer's weights, as stored
    assert inside > 0
    damaged = tmp_path / 'damaged.pt'
    refused = 0
    for at in [inside + 5, inside + len(weight) // 2, *range(0, len(raw), max(len(raw) // 40, 1))]:
        damaged.write_bytes(raw[:at] + bytes([raw[at] ^ 0x10]) + raw[at + 1:])
        try: loaded = CNNPredictor.load(damaged)
        except ValueError as e:
            assert str(damaged) in str(e) and 'restore it from a copy, or save or fit again' in str(e)
            refused += 1
        else: np.testing.assert_array_equal(loaded.predict(cohort), expected)  # the byte was not part of the contents
    assert refused > 2
    damaged.write_bytes(raw[:inside + 5] + bytes([raw[inside + 5] ^ 0x10]) + raw[inside + 6:])
    with pytest.raises(ValueError, match=r"damaged\.pt' is damaged: its checksum does not match its contents"):
        CNNPredictor.load(damaged)


def test_load_refuses_empty_and_foreign_files(tmp_path):
    (tmp_path / 'empty.pt').write_bytes(b'')
    torch.save({'a': 1}, tmp_path / 'foreign.pt')
    (tmp_path / 'notes.txt').write_text('not a model\n')
    expected = r"a file written by CNNPredictor\.save or by CNNPredictor\.fit\(\.\.\., checkpoint=path\)"
    with pytest.raises(ValueError, match=rf"empty\.pt' is empty; expected {expected}"):
        CNNPredictor.load(tmp_path / 'empty.pt')
    with pytest.raises(ValueError, match=rf"foreign\.pt' holds no checksum, so it is not {expected}"):
        CNNPredictor.load(tmp_path / 'foreign.pt')
    with pytest.raises(ValueError, match=rf"notes\.txt' is damaged or not {expected}"):
        CNNPredictor.load(tmp_path / 'notes.txt')


def test_resume_refuses_a_damaged_checkpoint(small, tmp_path):
    cohort, trait = small
    CNNPredictor(kernel=6, epochs=1, threads=1, progress=False).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')
    (tmp_path / 'ck.pt').write_bytes(b'')
    with pytest.raises(ValueError, match=r"ck\.pt' is empty"):
        CNNPredictor(kernel=6, epochs=2, threads=1, progress=False).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')


def test_two_fits_sharing_a_checkpoint(small, tmp_path, monkeypatch):
    "A second fit writes the same checkpoint while the first is in the middle of writing it: neither crashes."
    cohort, trait = small
    opts, path = dict(kernel=6, epochs=2, threads=1, progress=False), tmp_path / 'ck.pt'
    real_save, calls = torch.save, []
    def save_and_interleave(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        calls.append(1)
        if len(calls) == 1: CNNPredictor(**opts).fit(cohort, trait, checkpoint=path)  # the other fit, meanwhile
    monkeypatch.setattr(torch, 'save', save_and_interleave)
    first = CNNPredictor(**opts).fit(cohort, trait, checkpoint=path)
    monkeypatch.setattr(torch, 'save', real_save)
    assert len(calls) >= 3 and len(first.history_) == 2
    assert CNNPredictor.load(path).best_epoch_ >= 1
    assert [f.name for f in tmp_path.iterdir()] == ['ck.pt']


def sizes(folder):
    "Sizes of the files in `folder` (a file renamed away while looking is skipped)."
    for entry in os.scandir(folder):
        try: yield entry.stat().st_size
        except FileNotFoundError: pass


CHILD = """
import sys, torch
torch.set_num_threads(1)
from genopred_nb.train import CNNPredictor
p = CNNPredictor.load(sys.argv[1])
print('ready', flush=True)
while True: p.save(sys.argv[2])
"""


def test_kill_during_save_leaves_the_previous_file(small, tmp_path):
    "SIGKILL a process in the middle of saving over a file: the file still loads, with the same predictions."
    cohort, trait = small
    big = CNNPredictor(kernel=2, stride=1, channels=32, latent=32, epochs=1, threads=1, progress=False).fit(cohort, trait)
    folder = tmp_path / 'models'; folder.mkdir()
    big.save(tmp_path / 'base.pt'); big.save(folder / 'target.pt')
    full = (folder / 'target.pt').stat().st_size
    assert full > 4e6  # big enough that a write takes a while
    child = subprocess.Popen([sys.executable, '-c', CHILD, str(tmp_path / 'base.pt'), str(folder / 'target.pt')],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == 'ready'
        deadline, caught = time.monotonic() + 5, False
        while not caught and time.monotonic() < deadline:  # kill once a file in the folder is half written
            caught = any(0 < size < 0.9 * full for size in sizes(folder))
        child.kill(); child.wait()
    finally:
        if child.poll() is None: child.kill(); child.wait()
    assert caught, "never saw a file being written"
    np.testing.assert_array_equal(CNNPredictor.load(folder / 'target.pt').predict(cohort), big.predict(cohort))
