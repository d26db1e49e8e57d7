"""numerics.kernels.multisphere: the marginal and diagonal rules agree with the tensor quadrature."""
import numpy as np
import pytest

from numerics.kernels.cntk import multidot
from numerics.kernels.multisphere import diagonal_spectrum, marginal_spectrum, quadrature_spectrum


def _k(D):
    return multidot(head="eq", depth=2, filter_size=2, kind="ntk", delta=D)


@pytest.mark.parametrize("zeta", [2, 3])
def test_marginal_and_diagonal_match_tensor_rule(zeta):
    lam = quadrature_spectrum(_k, zeta, 2, 120, 8)
    ks = [0, 2, 4, 8]
    for pixel in (0, 1):
        m = marginal_spectrum(_k, zeta, 2, pixel, ks, 120, 120)
        ref = np.array([lam[(k, 0) if pixel == 0 else (0, k)] for k in ks])
        assert np.allclose(m, ref, rtol=1e-12, atol=1e-15)
    dg = diagonal_spectrum(_k, zeta, 2, [(1, 1), (1, 0)], [1, 2, 4], 120)
    assert np.allclose(dg[0], [lam[k, k] for k in (1, 2, 4)], rtol=1e-12, atol=1e-15)
    assert np.allclose(dg[1], [lam[k, 0] for k in (1, 2, 4)], rtol=1e-12, atol=1e-15)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="pixel"):
        marginal_spectrum(_k, 3, 2, 2, [1], 10, 10)
    with pytest.raises(ValueError, match="directions"):
        diagonal_spectrum(_k, 3, 2, [(1, 1, 1)], [1], 10)
