"The CNN and its training: encoders, exact resume after an interruption, determinism, the options end to end."
import numpy as np, pytest, torch
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays
from genopred_nb.simulate import simulate_cohort
from genopred_nb.phenotype import simulate_trait
from genopred_nb.encode import two_hot
from genopred_nb.cnn import ChromosomeCNN, CodeInput
from genopred_nb import train as train_module
from genopred_nb.train import CNNPredictor, CodesDataset

torch.set_num_threads(1)  # the machine's cores are shared

@pytest.fixture(scope='module')
def small():
    cohort = simulate_cohort(200, seed=11, n_autosomes=2, length=3e5, progress=False)
    return cohort, simulate_trait(cohort, h2=0.6, seed=11, n_causal=10)


def weights(predictor): return [t.clone() for t in predictor.model_.state_dict().values()]


@given(arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 30))))
def test_code_input_is_two_hot(codes):
    "The input layer is the seed's two-hot encoding, each variant's four channels side by side."
    x = CodeInput(codes.shape[1])(torch.from_numpy(codes))
    np.testing.assert_array_equal(x.numpy(), two_hot(codes).reshape(len(codes), 1, -1))


def test_resume_after_interrupt_mid_epoch(small, tmp_path, monkeypatch):
    "Killed in the middle of epoch 3, resumed from the checkpoint: the weights of an uninterrupted run."
    cohort, trait = small
    opts = dict(kernel=8, epochs=5, patience=99, dropout=0.2, hidden=[8], threads=1, progress=False)
    CNNPredictor(**dict(opts, epochs=1)).fit(cohort, trait)  # see below: not the first fit of the process
    calls, real = [0], train_module._outputs
    def dies_in_epoch_3(*args):
        calls[0] += 1
        if calls[0] == 3: raise KeyboardInterrupt
        return real(*args)
    monkeypatch.setattr(train_module, '_outputs', dies_in_epoch_3)
    with pytest.raises(KeyboardInterrupt): CNNPredictor(**opts).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')
    monkeypatch.setattr(train_module, '_outputs', real)
    assert torch.load(tmp_path / 'ck.pt', weights_only=True)['epoch'] == 2
    # On 1 thread the first fit of a process can differ from later ones in the 8th digit (oneDNN's state changes at
    # the next torch.set_num_threads, which every fit calls on its way out), so neither run here is the first.
    straight = CNNPredictor(**opts).fit(cohort, trait)
    resumed = CNNPredictor(**opts).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')
    assert all(torch.equal(a, b) for a, b in zip(weights(resumed), weights(straight)))
    assert list(resumed.history_.epoch) == [1, 2, 3, 4, 5]


def test_same_seed_same_predictions(small):
    cohort, trait = small
    fit = lambda seed: CNNPredictor(kernel=8, epochs=3, dropout=0.1, hidden=[4], seed=seed, progress=False).fit(cohort, trait).predict(cohort)
    np.testing.assert_array_equal(fit(0), fit(0))
    assert not np.array_equal(fit(0), fit(1))


def test_fit_leaves_torch_state_alone(small):
    "Fitting uses its own random stream and restores the thread count."
    cohort, trait = small
    torch.manual_seed(123); expected = torch.rand(3)
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    CNNPredictor(kernel=8, epochs=1, threads=1, progress=False).fit(cohort, trait)
    assert torch.equal(torch.rand(3), expected) and torch.get_num_threads() == threads


@pytest.mark.parametrize('opts', [dict(encoding='dosage'), dict(inception=True, depth=2, shared=True), dict(position='pool'),
                                  dict(sex=True, hidden=[8], dropout=0.1), dict(chromosomes=['1', 'X']), dict(l1=1e-3)])
def test_options_fit_and_predict(small, opts):
    cohort, trait = small
    p = CNNPredictor(kernel=6, epochs=2, progress=False, **opts).fit(cohort, trait)
    pred = p.predict(cohort)
    assert pred.shape == (cohort.n_individuals,) and np.isfinite(pred).all() and np.ptp(pred) > 0
    assert p.model_.chromosomes == opts.get('chromosomes', cohort.chromosomes)


def test_binary(small):
    cohort, _ = small
    case = simulate_trait(cohort, h2=0.6, seed=12, n_causal=10, prevalence=0.3)
    p = CNNPredictor(kernel=6, epochs=2, binary=True, progress=False).fit(cohort, case)
    prob = p.predict(cohort)
    assert ((prob > 0) & (prob < 1)).all()
    assert 'val_auc' in p.history_ and p.history_.val_auc.between(0, 1).all()


def test_loader_batches_are_independent(small):
    "Every batch owns its memory: the batches of `list(loader)` are distinct and equal to the rows they were made of."
    cohort, _ = small
    batches = list(CodesDataset(cohort, batch_size=4).loader())
    assert len({b[0]['1'].data_ptr() for b in batches}) == len(batches) == 50
    np.testing.assert_array_equal(np.concatenate([b[0]['1'].numpy() for b in batches]), cohort.genotypes['1'])


def test_network_errors():
    sizes = {'1': 50, 'X': 10}
    with pytest.raises(ValueError, match=r"kernel=11 does not fit chromosome 'X' of 10 variants; give a kernel between 1 and 10 for it, e\.g\. kernel=\{'X': 10, \.\.\.\}"):
        ChromosomeCNN(sizes, kernel=11)
    with pytest.raises(ValueError, match=r"stride has no value for chromosome 'X'; give stride for every chromosome of the network \('1', 'X'\), or one number for all"):
        ChromosomeCNN(sizes, kernel=5, stride={'1': 2})


def test_save_load_round_trip(small, tmp_path):
    cohort, trait = small
    p = CNNPredictor(kernel=6, epochs=2, sex=True, hidden=[4], inception=True, depth=2, shared=True, progress=False).fit(cohort, trait)
    p.save(tmp_path / 'p.pt')
    np.testing.assert_array_equal(CNNPredictor.load(tmp_path / 'p.pt').predict(cohort), p.predict(cohort))


def test_flush_denormal_restored(small):
    cohort, trait = small
    for before in (True, False):
        torch.set_flush_denormal(before)
        CNNPredictor(kernel=6, epochs=1, progress=False).fit(cohort, trait)
        assert (torch.tensor([1e-39]).item() == 0) == before
    torch.set_flush_denormal(False)


def test_resume_checks_chromosome_order(small, tmp_path):
    cohort, trait = small
    CNNPredictor(kernel=6, epochs=1, chromosomes=['1', 'X'], progress=False).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')
    with pytest.raises(ValueError, match=r"another architecture or training setup \(.*chromosome order: checkpoint \['1', 'X'\], this fit \['X', '1'\]\)"):
        CNNPredictor(kernel=6, epochs=2, chromosomes=['X', '1'], progress=False).fit(cohort, trait, checkpoint=tmp_path / 'ck.pt')
    assert [f.name for f in tmp_path.iterdir()] == ['ck.pt']  # no temporary file left behind


def test_other_panel_same_counts(small):
    cohort, trait = small
    p = CNNPredictor(kernel=6, epochs=1, progress=False).fit(cohort, trait)
    with pytest.raises(ValueError, match=r"the cohort's panel differs from the training panel \(same variant counts, other positions or alleles\)"):
        p.predict(_swap_alleles(cohort))


def _swap_alleles(cohort):
    "The same cohort with the first variant's alleles listed in another order: same counts, another panel."
    other = cohort.subset(individuals=np.arange(cohort.n_individuals))
    other.variants.at[0, 'alleles'] = tuple(reversed(other.variants.alleles[0]))
    return other


def test_divergence_and_one_class_errors(small):
    cohort, trait = small
    with pytest.raises(FloatingPointError, match=r"training diverged in epoch 1 \(validation loss nan\); lower lr \(now 1e\+30\)"):
        CNNPredictor(kernel=6, epochs=2, lr=1e30, progress=False).fit(cohort, trait)
    y = np.zeros(cohort.n_individuals); y[:3] = 1
    from genopred_nb.design import validation_split
    _, val = validation_split(cohort.n_individuals, fraction=0.2, seed=0)
    y[val] = 0
    with pytest.raises(ValueError, match=r"the validation part has only controls; a binary fit needs both in each part: use more individuals, another seed \(now 0\)"):
        CNNPredictor(kernel=6, binary=True, progress=False).fit(cohort, y)


def test_fit_inputs_checks_encoding(small):
    from genopred_nb.train import fit_inputs
    cohort, _ = small
    net = ChromosomeCNN({c: g.shape[1] for c, g in cohort.genotypes.items()}, kernel=5)
    with pytest.raises(ValueError, match=r"encoding='dosage' does not fit a network with in_channels=4; use one of 'two_hot' \(in_channels=4\), 'dosage' \(in_channels=1\)"):
        fit_inputs(net, cohort, rows=np.arange(50), encoding='dosage')
