"""numerics.experiments.dual: the SymPy activations match the CNN's, the CNN's NTK mapping."""
import numpy as np
import pytest
import sympy

from numerics.experiments import dual as ex
from numerics.nets.activations import ACTIVATIONS
from theory.dual import named, network_kernel
from theory.dual.gaussian import x


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_named_matches_cnn_activation(name):
    z = np.linspace(-3, 3, 61)
    f = sympy.lambdify(x, named(name), ["numpy", "scipy"])
    np.testing.assert_allclose(np.broadcast_to(f(z), z.shape), ACTIVATIONS[name].value(z), atol=1e-14)


def test_cnn_ntk_at_b1_is_network_kernel_minus_readout_bias():
    T = np.linspace(-1, 1, 11)
    k = network_kernel("relu", b_std=1)
    np.testing.assert_allclose(ex.analytic_ntk("relu", 1.0, T), k(T) - 1, atol=1e-14)


def test_empirical_ntk_close_at_large_width():
    e = ex.ntk_errors("tanh", 0.5, 3, 8, (100, 10000), 2, seed=0)
    assert e["error"][-1] < 0.05 and e["error"][-1] < e["error"][0]


def test_parity_training_stalls_without_bias():
    r = ex.parity_training("tanh", 0.0, 3, 2, 40, 100, 2.0, 10, seed=0)
    assert r["measured"] >= 1 - 1e-9
