"The first layer by lookups is the convolution it replaced, and the linear path is a linear score."
import numpy as np, pytest, torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from genopred_nb.cnn import ChromosomeCNN, CodeInput, lookup_conv

torch.set_num_threads(1)  # the machine's cores are shared

@st.composite
def layers(draw):
    "Codes (any byte: ambiguity, haploid, missing), a kernel and stride that fit, and filters."
    m = draw(st.integers(1, 40))
    codes = draw(arrays(np.uint8, st.tuples(st.integers(1, 6), st.just(m))))
    return codes, draw(st.integers(1, m)), draw(st.integers(1, 12)), draw(st.integers(1, 20)), draw(st.booleans())

@settings(deadline=None, max_examples=60)
@given(layers(), st.integers(0, 2**31 - 1))
def test_lookup_conv_is_the_convolution(layer, seed):
    "Outputs and weight gradients of `lookup_conv` equal those of the convolution over centred two-hot features."
    codes, l, s, width, bias = layer
    torch.manual_seed(seed)
    n, m = codes.shape
    conv = torch.nn.Conv1d(1, width, 4 * l, stride=4 * s, bias=bias)
    centre = torch.rand(1, 1, 4 * m)
    x = CodeInput(m)(torch.from_numpy(codes))
    want = conv(x) - F.conv1d(centre, conv.weight, None, conv.stride)
    want.square().sum().backward()
    grads = [p.grad.clone() for p in conv.parameters()]
    conv.zero_grad()
    got = lookup_conv(torch.from_numpy(codes), conv, centre)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    got.square().sum().backward()
    for g, w in zip((p.grad for p in conv.parameters()), grads): torch.testing.assert_close(g, w, atol=1e-4, rtol=1e-4)

def test_lookup_is_used_and_matches_features():
    "Two-hot branches without Inception take codes; the network gives the same outputs through either path."
    rng = np.random.default_rng(0)
    codes = {c: torch.from_numpy(rng.integers(0, 256, (7, m), dtype=np.uint8)) for c, m in (('1', 50), ('2', 33))}
    net = ChromosomeCNN({c: x.shape[1] for c, x in codes.items()}, kernel=9, linear=True)
    assert all(b.lookup for b in net.branches.values())
    assert not any(b.lookup for b in ChromosomeCNN({'1': 50}, kernel=9, inception=True).branches.values())
    assert not any(b.lookup for b in ChromosomeCNN({'1': 50}, kernel=9, in_channels=1).branches.values())
    with torch.no_grad():
        for b in net.branches.values(): b.linear.weight.normal_()
        looked = net(codes)
        for b in net.branches.values(): b.lookup = False
        torch.testing.assert_close(net(codes), looked, atol=1e-4, rtol=1e-5)

def test_lookup_predictions_do_not_depend_on_the_batch():
    "Each individual's first-layer output is computed alone: any batch gives it bit for bit."
    rng = np.random.default_rng(1)
    codes = torch.from_numpy(rng.integers(0, 256, (20, 64), dtype=np.uint8))
    conv = torch.nn.Conv1d(1, 16, 4 * 8, stride=4 * 4)
    centre = torch.rand(1, 1, 256)
    with torch.no_grad():
        whole, part = lookup_conv(codes, conv, centre), lookup_conv(codes[3:9].clone(), conv, centre)
    assert torch.equal(whole[3:9], part)
