"""Unit and property tests of numerics.nets.cnn, numerics.nets.activations and numerics.nets.ntk.

Gradients are checked against central finite differences for every combination
dim x padding x bias x activation x head (float64, relative error <= 1e-6).
"""
import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from numerics.nets.activations import ACTIVATIONS, NEGATIVE_SLOPE, get
from numerics.nets.cnn import CNN, HEADS, PADDINGS
from numerics.nets.ntk import empirical_ntk, jacobian_blocks

EPS = 1e-6


def fd_grad(net, X, Y, eps=EPS):
    """Central finite-difference gradient of net.loss in the layout of net.get_flat()."""
    th = net.get_flat().copy()
    g = np.empty_like(th)
    for i in range(th.size):
        e = np.zeros_like(th)
        e[i] = eps
        net.set_flat(th + e)
        lp = net.loss(X, Y)
        net.set_flat(th - e)
        lm = net.loss(X, Y)
        g[i] = (lp - lm) / (2 * eps)
    net.set_flat(th)
    return g


def fd_jacobian(net, X, eps=EPS):
    th = net.get_flat().copy()
    cols = []
    for i in range(th.size):
        e = np.zeros_like(th)
        e[i] = eps
        net.set_flat(th + e)
        fp = net.forward(X).reshape(-1)
        net.set_flat(th - e)
        fm = net.forward(X).reshape(-1)
        cols.append((fp - fm) / (2 * eps))
    net.set_flat(th)
    return np.array(cols).T


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


def make(dim, padding, bias, activation, head, seed=0, C=2, m=3, q=3, L=6, n=4, scale=0.7):
    net = CNN(dim, C, m, q, padding, bias, activation, head, seed=seed, input_size=L, output_scale=scale,
              b_std=0.5)
    rng = np.random.default_rng(seed + 1000)
    X = rng.standard_normal((n, C) + (L,) * dim)
    Y = rng.standard_normal(net.forward(X).shape)
    return net, X, Y


COMBOS = list(itertools.product((1, 2), PADDINGS, (False, True), ACTIVATIONS, HEADS))


def test_combinations_cover_everything():
    assert len(COMBOS) == 2 * 2 * 2 * len(ACTIVATIONS) * 3 and len(ACTIVATIONS) >= 7


@pytest.mark.parametrize("dim,padding,bias,activation,head", COMBOS)
def test_gradient_matches_finite_differences(dim, padding, bias, activation, head):
    net, X, Y = make(dim, padding, bias, activation, head, L=6 if dim == 1 else 5)
    loss, g = net.loss_and_grad(X, Y)
    assert set(g) == set(net.params)
    for k in g:
        assert g[k].shape == net.params[k].shape and g[k].dtype == np.float64
    assert loss == pytest.approx(net.loss(X, Y), rel=1e-14)
    assert rel_err(net.flatten(g), fd_grad(net, X, Y)) <= 1e-6


@settings(deadline=None)
@example(dim=2, C=1, m=1, q=1, L=1, n=1, seed=0, padding="circular", act="relu", head="dense")
@given(dim=st.sampled_from([1, 2]), C=st.integers(1, 3), m=st.integers(1, 4), q=st.integers(1, 4),
       L=st.integers(1, 7), n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       padding=st.sampled_from(PADDINGS), act=st.sampled_from(sorted(ACTIVATIONS)), head=st.sampled_from(HEADS))
def test_gradient_property(dim, C, m, q, L, n, seed, padding, act, head):
    if padding == "valid":
        L = max(L, q)
    net, X, Y = make(dim, padding, True, act, head, seed=seed, C=C, m=m, q=q, L=L, n=n)
    _, g = net.loss_and_grad(X, Y)
    assert rel_err(net.flatten(g), fd_grad(net, X, Y)) <= 1e-6


def naive_forward(net, X):
    """Loop reference of the model definition (DESIGN.md), for small sizes."""
    w, a = net.params["w"], net.params["a"]
    b = net.params.get("b", np.zeros(net.channels))
    q, dim = net.kernel_size, net.dim
    L = X.shape[2:]
    P = net.output_shape(L)
    n = X.shape[0]
    Z = np.zeros((n, net.channels) + P)
    for i, k in itertools.product(range(n), range(net.channels)):
        for p in itertools.product(*[range(s) for s in P]):
            acc = b[k]
            for c in range(net.in_channels):
                for j in itertools.product(range(q), repeat=dim):
                    idx = tuple((pp + jj) % ll for pp, jj, ll in zip(p, j, L))
                    acc += w[(k, c) + j] * X[(i, c) + idx]
            Z[(i, k) + p] = acc
    H = net.act.value(Z)
    s = net.output_scale
    if net.head == "map":
        return s * np.einsum("k,nk...->n...", a, H)
    if net.head == "gap":
        return s * np.einsum("k,nk...->n...", a, H).reshape(n, -1).sum(1) / np.prod(P)
    return s * (a[None] * H).reshape(n, -1).sum(1)


@pytest.mark.parametrize("dim,padding,head", list(itertools.product((1, 2), PADDINGS, HEADS)))
def test_forward_matches_definition(dim, padding, head):
    net, X, _ = make(dim, padding, True, "tanh", head, L=5)
    np.testing.assert_allclose(net.forward(X), naive_forward(net, X), rtol=1e-12, atol=1e-12)


@settings(deadline=None, max_examples=20)
@example(shift=15, seed=0)
@given(shift=st.integers(0, 15), seed=st.integers(0, 2**32 - 1))
def test_gap_head_ignores_circular_shifts(shift, seed):
    net = CNN(dim=1, in_channels=2, channels=8, kernel_size=3, padding="circular", bias=True,
              activation="relu", head="gap", seed=seed)
    X = np.random.default_rng(seed).standard_normal((4, 2, 16))
    np.testing.assert_allclose(net.forward(np.roll(X, shift, axis=-1)), net.forward(X), rtol=1e-12, atol=1e-12)


def test_map_head_is_shift_equivariant_2d():
    net = CNN(2, 1, 4, 3, "circular", True, "softplus", "map", seed=3)
    X = np.random.default_rng(0).standard_normal((2, 1, 6, 7))
    S = lambda V: np.roll(V, (2, 3), axis=(-2, -1))
    np.testing.assert_allclose(net.forward(S(X)), S(net.forward(X)), rtol=1e-12, atol=1e-12)


def test_reproducible_by_seed():
    a = CNN(2, 2, 5, 3, "valid", True, "relu", "dense", seed=7, input_size=(6, 5))
    b = CNN(2, 2, 5, 3, "valid", True, "relu", "dense", seed=7, input_size=(6, 5))
    c = CNN(2, 2, 5, 3, "valid", True, "relu", "dense", seed=8, input_size=(6, 5))
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["w"], c.params["w"])
    assert a.params["a"].shape == (5, 4, 3)


def test_params_are_read_on_every_call():
    net, X, _ = make(1, "circular", True, "relu", "map")
    before = net.forward(X)
    net.params["a"] = 2 * net.params["a"]
    np.testing.assert_allclose(net.forward(X), 2 * before, rtol=1e-14)


def test_float32_on_request():
    net64, X, Y = make(2, "circular", True, "tanh", "dense", L=5)
    net32 = CNN(2, 2, 3, 3, "circular", True, "tanh", "dense", seed=0, input_size=5, output_scale=0.7,
                b_std=0.5, dtype=np.float32)
    for k in net64.params:
        assert net32.params[k].dtype == np.float32
        np.testing.assert_allclose(net32.params[k], net64.params[k], rtol=1e-6)
    out = net32.forward(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, net64.forward(X), rtol=1e-4, atol=1e-5)
    _, g32 = net32.loss_and_grad(X, Y)
    _, g64 = net64.loss_and_grad(X, Y)
    for k in g64:
        assert g32[k].dtype == np.float32
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-3, atol=1e-5)


def test_fully_connected_case_is_a_dense_layer():
    d, m = 5, 7
    net = CNN(1, 1, m, d, "valid", True, "relu", "map", seed=0)
    X = np.random.default_rng(1).standard_normal((3, 1, d))
    out = net.forward(X)
    assert out.shape == (3, 1)
    W = net.params["w"][:, 0, :]
    ref = np.maximum(X[:, 0] @ W.T + net.params["b"], 0) @ net.params["a"]
    np.testing.assert_allclose(out[:, 0], ref, rtol=1e-13)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_table(name):
    act = get(name)
    z = np.linspace(-3, 3, 601)
    h = 1e-6
    zz = z[np.abs(z) > 1e-3]                       # away from the kink
    np.testing.assert_allclose(act.derivative(zz), (act.value(zz + h) - act.value(zz - h)) / (2 * h),
                               rtol=1e-6, atol=1e-8)
    if act.degree is not None:                     # Euler: z sigma'(z) = p sigma(z), kink included
        np.testing.assert_allclose(z * act.derivative(z), act.degree * act.value(z), atol=1e-14)
        np.testing.assert_allclose(act.value(2.5 * z), 2.5 ** act.degree * act.value(z), rtol=1e-14, atol=1e-14)
    for dt in (np.float32, np.float64):
        assert act.value(z.astype(dt)).dtype == dt and act.derivative(z.astype(dt)).dtype == dt
    assert get("leaky_relu").value(np.array([-1.0]))[0] == -NEGATIVE_SLOPE


@pytest.mark.parametrize("kwargs,exc,text", [
    (dict(dim=3), ValueError, "`dim`"),
    (dict(channels=0), ValueError, "`channels`"),
    (dict(channels=2.5), TypeError, "`channels`"),
    (dict(padding="same"), ValueError, "`padding`"),
    (dict(activation="gelu"), ValueError, "`activation`"),
    (dict(head="max"), ValueError, "`head`"),
    (dict(bias="yes"), TypeError, "`bias`"),
    (dict(dtype=np.int32), ValueError, "`dtype`"),
    (dict(head="dense"), ValueError, "`input_size`"),
    (dict(padding="valid", input_size=2), ValueError, "kernel_size"),
    (dict(w_std=-1.0), ValueError, "`w_std`"),
])
def test_bad_constructor_arguments(kwargs, exc, text):
    args = dict(dim=1, in_channels=1, channels=2, kernel_size=3, padding="circular", bias=True,
                activation="relu", head="map", seed=0)
    args.update(kwargs)
    with pytest.raises(exc, match=text):
        CNN(**args)


def test_bad_data():
    net = CNN(1, 2, 3, 3, "valid", True, "relu", "map", seed=0)
    X = np.zeros((4, 2, 6))
    with pytest.raises(ValueError, match="shape"):
        net.forward(np.zeros((4, 6)))
    with pytest.raises(ValueError, match="channels"):
        net.forward(np.zeros((4, 3, 6)))
    with pytest.raises(ValueError, match="kernel_size"):
        net.forward(np.zeros((4, 2, 2)))
    bad = X.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        net.forward(bad)
    with pytest.raises(ValueError, match="`Y`"):
        net.loss_and_grad(X, np.zeros((4, 5)))
    with pytest.raises(ValueError, match="non-finite"):
        net.loss_and_grad(X, np.full((4, 4), np.inf))
    with pytest.raises(TypeError, match="`X`"):
        net.forward(np.array([["a"]]))
    dense = CNN(1, 2, 3, 3, "valid", True, "relu", "dense", seed=0, input_size=6)
    with pytest.raises(ValueError, match="input_size"):
        dense.forward(np.zeros((4, 2, 7)))


@pytest.mark.parametrize("dim,padding,bias,head", list(itertools.product((1, 2), PADDINGS, (False, True), HEADS)))
def test_empirical_ntk_matches_jacobian(dim, padding, bias, head):
    net, X, _ = make(dim, padding, bias, "relu", head, L=5, q=2)
    Z = np.random.default_rng(5).standard_normal((2,) + X.shape[1:])
    JX, JZ = fd_jacobian(net, X), fd_jacobian(net, Z)
    K = empirical_ntk(net, X, Z).reshape(JX.shape[0], JZ.shape[0])
    np.testing.assert_allclose(K, JX @ JZ.T, rtol=1e-7, atol=1e-8 * np.abs(K).max())
    blocks = jacobian_blocks(net, X)
    J = np.concatenate([blocks[k] for k in net.keys], axis=1)
    np.testing.assert_allclose(J, JX, rtol=1e-6, atol=1e-8)
    Ka = empirical_ntk(net, X, wrt=("a",)).reshape(JX.shape[0], -1)
    na = net.params["a"].size
    np.testing.assert_allclose(Ka, JX[:, -na:] @ JX[:, -na:].T, rtol=1e-7, atol=1e-9)


def test_empirical_ntk_bad_wrt():
    net, X, _ = make(1, "circular", False, "relu", "gap")
    with pytest.raises(ValueError, match="`wrt`"):
        empirical_ntk(net, X, wrt=("c",))
    with pytest.raises(ValueError, match="no bias"):
        empirical_ntk(net, X, wrt=("b",))
