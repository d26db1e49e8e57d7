"""Tests of numerics.nets.blocks: im2col layout, the ReLU mask, and the blocked/threaded pass.

The gradient itself is checked against finite differences in tests/test_cnn.py (small nets, one
block); here the many-block and multi-thread paths must reproduce the one-block result.
"""
import itertools

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import numerics.nets.blocks as cv
from numerics.nets.activations import ACTIVATIONS
from numerics.nets.cnn import CNN


def test_cols_layout_matches_definition():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 2, 5, 6))
    net = CNN(2, 2, 4, 3, "circular", True, "relu", "gap", seed=0)
    cols, P = net.cols(X, ones_row=True)
    assert P == (5, 6) and cols.shape == (2 * 9 + 1, 3, 30)
    for i, c, jy, jx, py, px in [(0, 0, 0, 0, 0, 0), (2, 1, 2, 1, 4, 5), (1, 1, 1, 2, 3, 0)]:
        want = X[i, c, (py + jy) % 5, (px + jx) % 6]
        assert cols[c * 9 + jy * 3 + jx, i, py * 6 + px] == want
    assert np.all(cols[-1] == 1)
    Pt, _ = net.patches(X)                                   # row-per-patch layout, same numbers
    np.testing.assert_array_equal(Pt, cols[:-1].reshape(18, -1).T.reshape(3, 30, 18).reshape(90, 18))


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.derivative_from_value])
def test_derivative_from_value_is_exact(name):
    """The engine's in-place path reads sigma' off sigma(z): it must equal sigma'(z) bit for bit."""
    act = ACTIVATIONS[name]
    for dt, tiny, huge in ((np.float64, 5e-324, 1e300), (np.float32, 1e-45, 1e38)):
        Z = np.array([-huge, -3.0, -0.0, 0.0, tiny, 0.5, 1.0, 3.0, huge], dtype=dt)
        H = act.value_inplace(Z.copy())
        np.testing.assert_array_equal(H, act.value(Z))
        got = act.derivative_from_value(H, np.empty_like(H))
        assert got.dtype == dt
        np.testing.assert_array_equal(got, act.derivative(Z))


@pytest.mark.parametrize("dim,padding,bias,activation,head", list(itertools.product(
    (1, 2), ("circular", "valid"), (True, False), ("relu", "tanh"), ("map", "gap", "dense"))))
def test_blocks_and_threads_reproduce_one_block(monkeypatch, dim, padding, bias, activation, head):
    L = 9 if dim == 2 else 30
    net = CNN(dim, 2, 5, 3, padding, bias, activation, head, seed=1, input_size=L, output_scale=0.8,
              b_std=0.5)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((23, 2) + (L,) * dim)
    Y = rng.standard_normal(net.forward(X).shape)
    monkeypatch.setattr(cv, "BLOCK_BYTES", 1 << 30)
    with threadpool_limits(1):
        ref_out, (ref_loss, ref_g) = net.forward(X), net.loss_and_grad(X, Y)
    monkeypatch.setattr(cv, "BLOCK_BYTES", 2000)              # blocks of a few samples
    with threadpool_limits(2):
        out, (loss, g) = net.forward(X), net.loss_and_grad(X, Y)
        b_loss, b_g = net.prepare(X, Y).loss_and_grad()       # precomputed patches
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-14)
    for lo, gr in ((loss, g), (b_loss, b_g)):
        assert abs(lo - ref_loss) <= 1e-12 * abs(ref_loss)
        for k in ref_g:
            assert np.linalg.norm(gr[k] - ref_g[k]) <= 1e-12 * np.linalg.norm(ref_g[k])


def test_block_size_bounds():
    assert cv.block_size(500, 32, 784, 8) >= 1
    assert cv.block_size(3, 1, 1, 8) == 3
    assert cv.block_size(10, 10 ** 6, 10 ** 3, 8) == 1


def test_result_does_not_depend_on_thread_count(monkeypatch):
    net = CNN(2, 1, 4, 3, "circular", True, "relu", "dense", seed=0, input_size=8)
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((41, 1, 8, 8)), rng.standard_normal(41)
    monkeypatch.setattr(cv, "BLOCK_BYTES", 1500)
    res = []
    for t in (1, 2):
        with threadpool_limits(t):
            res.append(net.loss_and_grad(X, Y))
    assert res[0][0] == res[1][0]
    for k in res[0][1]:
        np.testing.assert_array_equal(res[0][1][k], res[1][1][k])
