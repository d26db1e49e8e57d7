"""A worked example of user claims: run with ``sbcheck check example --module examples/my_claims.py``.

A claim is one decorated function that MEASURES numbers and returns :class:`Evidence`; the registry
computes the verdict.  Its control re-runs the same function with a perturbed statement that must
come out FAIL.
"""
import sympy

import theory
from numerics.registry import Evidence, claim, close
from theory.derivation import Derivation


def trace_identity() -> Derivation:
    """Mercer at t = 1: K(1) = sum_k N(d,k) lambda_k, because P_k(d; 1) = 1."""
    d = Derivation("Mercer trace identity")
    K1 = d.step("value of the ntk kernel at t = 1", sympy.simplify(theory.kernel("ntk").subs(theory.t, 1)))
    d.results["K(1)"] = K1
    d.check("K(1) = 1 for the ntk kernel", bool(K1 == 1))
    return d


@claim(id="example.trace", source="Mercer's theorem (example user claim)",
       statement=r"\sum_{k\ge0} N(d,k)\,\lambda_k = K(1)", derive=trace_identity)
def trace(cfg, kernel="ntk", d=3, shift=0.0):
    """The multiplicity-weighted eigenvalues of the NTK sum to K(1)."""
    k_max = cfg.pick(quick=200, full=2000)
    lam = theory.eigenvalues(kernel, d, range(k_max + 1), mode="float")
    partial = sum(e.multiplicity * e.value for e in lam) + shift
    k1 = theory.kernel_value(kernel, 1.0)
    # tail of sum N(d,k) lambda_k ~ sum k^(d-2) k^(-d) = O(1/k_max)
    return Evidence([close("sum_k<=k_max N lambda_k", partial, k1, atol=5.0 / k_max)],
                    kind="float64", sizes={"k_max": k_max, "d": d})


trace.control("the eigenvalues shifted by 0.05 in total no longer sum to K(1)", shift=0.05)
