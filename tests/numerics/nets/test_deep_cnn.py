"""The deep CNN on 2-D grids and with other activations: gradients by finite differences, the
empirical NTK against the analytic CNTK in 2-D, the normalising constant, argument checks."""
import math

import numpy as np
import pytest

from numerics.kernels.cntk import gram
from numerics.nets.deep_cnn import DeepCNN, normalising_constant


def _pixels(rng, n, zeta, shape):
    X = rng.standard_normal((n, zeta) + tuple(shape))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.mark.parametrize("head", ["eq", "tr", "gap"])
@pytest.mark.parametrize("act", ["relu2", "tanh"])
def test_2d_gradients_by_fourth_order_finite_differences(head, act):
    rng = np.random.default_rng(1)
    X, Y = _pixels(rng, 3, 2, (3, 4)), rng.standard_normal(3)
    net = DeepCNN(2, (3, 4), 3, 3, 3, head, seed=4, activation=act, c_sigma=normalising_constant(act))
    _, g = net.loss_and_grad(X, Y)
    h = 1e-3
    for key, P in net.params.items():
        fd = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            vals = []
            for s in (-2, -1, 1, 2):
                old = P[idx]
                P[idx] = old + s * h
                f = net.forward(X)
                vals.append(0.5 * np.mean((f - Y) ** 2))
                P[idx] = old
            fd[idx] = (vals[0] - 8 * vals[1] + 8 * vals[2] - vals[3]) / (12 * h)
        assert np.max(np.abs(fd - g[key])) < 1e-8 * max(1.0, np.max(np.abs(g[key]))), key


@pytest.mark.parametrize("head", ["eq", "gap"])
def test_2d_ntk_near_the_analytic_cntk_at_width_512(head):
    rng = np.random.default_rng(5)
    X = _pixels(rng, 3, 3, (3, 3))
    K = gram(X, head=head, depth=3, filter_size=3, kind="ntk")
    err = np.linalg.norm(DeepCNN(3, (3, 3), 512, 3, 3, head, seed=1).ntk(X) - K) / np.linalg.norm(K)
    assert err < 0.25


def test_normalising_constant_and_bad_input():
    assert normalising_constant("relu") == pytest.approx(2.0, rel=1e-12)
    assert normalising_constant("linear") == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(ValueError, match="grid"):
        DeepCNN(2, (3, 0), 4, 2, 3, "eq")
    with pytest.raises(ValueError, match="c_sigma"):
        DeepCNN(2, 5, 4, 2, 3, "eq", c_sigma=0)
    with pytest.raises(ValueError, match=r"\(n, 2, 3, 4\)"):
        DeepCNN(2, (3, 4), 4, 2, 3, "eq").forward(np.ones((1, 2, 12)))
