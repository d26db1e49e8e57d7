"""The deep fully connected net: gradients against finite differences, the empirical NTK against
the Jacobian, the two-layer case against the CNN, and argument checks."""
import math

import numpy as np
import pytest

from numerics.nets.mlp import MLP


def _data(n=7, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True) * math.sqrt(d), rng.standard_normal(n)


@pytest.mark.parametrize("act", ["tanh", "softplus", "relu2"])
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("b_std", [0.0, 0.7])
def test_gradient_matches_fourth_order_finite_differences(act, residual, b_std):
    X, Y = _data()
    net = MLP(3, 6, 3, act, W_std=1.3, b_std=b_std, residual=residual, seed=1)
    _, g = net.loss_and_grad(X, Y)
    g = net.flatten(g)
    theta = net.get_flat()
    h = 1e-3
    fd = np.empty_like(theta)
    for i in range(theta.size):
        vals = []
        for s in (-2, -1, 1, 2):
            e = theta.copy()
            e[i] += s * h
            net.set_flat(e)
            vals.append(net.loss(X, Y))
        fd[i] = (vals[0] - 8 * vals[1] + 8 * vals[2] - vals[3]) / (12 * h)
    net.set_flat(theta)
    assert np.max(np.abs(fd - g)) < 1e-8 * max(1.0, np.max(np.abs(g)))


@pytest.mark.parametrize("residual", [False, True])
def test_empirical_ntk_equals_jacobian_gram(residual):
    X, _ = _data(n=5)
    net = MLP(3, 4, 3, "tanh", b_std=0.5, residual=residual, seed=2)
    J = []
    for i in range(X.shape[0]):                     # d f_i / d theta via the loss gradient at r = e_i
        Y = net.forward(X).copy()
        Y[i] -= 1.0                                 # f - Y = e_i  ->  grad = J_i / n
        J.append(net.flatten(net.loss_and_grad(X, Y)[1]) * X.shape[0])
    J = np.array(J)
    assert np.allclose(net.empirical_ntk(X), J @ J.T, rtol=1e-12, atol=1e-12)


def test_depth_one_is_the_two_layer_cnn_in_its_fully_connected_case():
    from numerics.nets.cnn import CNN
    X, Y = _data(n=6, d=4)
    mlp = MLP(4, 5, 1, "relu", seed=3)
    cnn = CNN(dim=1, in_channels=1, channels=5, kernel_size=4, padding="valid", bias=False,
              activation="relu", head="map", seed=0, output_scale=1.0 / math.sqrt(5))
    cnn.params["w"] = (mlp.params["W1"] / 2.0)[:, None, :]      # CNN: no 1/sqrt(d) in the layer
    cnn.params["a"] = mlp.params["a"].copy()
    assert np.allclose(cnn.forward(X[:, None, :]).ravel(), mlp.forward(X), rtol=1e-13, atol=1e-14)


def test_same_seed_same_net_and_bad_input():
    a, b = MLP(3, 4, 2, seed=5), MLP(3, 4, 2, seed=5)
    assert np.array_equal(a.get_flat(), b.get_flat())
    with pytest.raises(ValueError, match="depth"):
        MLP(3, 4, 0)
    with pytest.raises(ValueError, match="b_std"):
        MLP(3, 4, 2, b_std=-1)
    with pytest.raises(ValueError, match="X"):
        a.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match="alpha"):
        MLP(3, 4, 2, residual=True, alpha=0)
