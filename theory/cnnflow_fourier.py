"""The Fourier view of two-layer CNN training, derived with SymPy (docs/cnnflow.md §5-§6).

Conventions (``docs/cnnflow.md`` §0): unnormalised DFT
``v^(xi) = sum_l v_l exp(-2 pi i l xi / N)``, Plancherel ``sum |v_l|^2 = (1/N) sum |v^(xi)|^2``; a
length-``q`` kernel is zero-padded to length ``N``; layers are cross-correlations
``(w * x)_l = sum_j w_j x_{l+j}`` (indices mod ``N``).

Derivations (each returns a :class:`theory.derivation.Derivation`; SymPy produces every formula):

- :func:`plancherel`          -- Plancherel identity and the cross-correlation theorem (exact, N = 5, 6)
- :func:`white_spectrum`      -- ``E|w^(xi)|^2 = q s^2``, pseudo-variance ``C(xi)``, Isserlis variance
  ``(q s^2)^2 + |C|^2``, law ``mu_+ chi2_1 + mu_- chi2_1`` (exponential iff ``C = 0``), LLN rate
- :func:`band_theorems`       -- B1 (affine sigma), B2 (degree-p polynomial), B3 (ReLU, no bias, odd xi >= 3)
- :func:`relu_harmonics`      -- ReLU cosine coefficients ``h_p(A, b)`` by integration
- :func:`mode_rate`           -- the prefactor ``N m / 4`` of ``lambda_xi`` (kernel count x phase average x
  circulant eigenvalue) and ``t_xi lambda_xi = 1`` at the level ``e^-1``
- :func:`frozen_rate`         -- ``lambda_xi = (N m / 4) sum_{p = +-xi mod N} E h_p^2``; ReLU ``xi^-4``
  (frozen, with or without bias), ``xi^-2`` (lazy NTK, from the harmonics of sigma'); tanh: pole
  distance and the stretched exponential ``log t_xi ~ c xi^beta``, ``beta = 2/3``,
  ``c = 3 (pi / (2 sigma_A))^(2/3)`` (Laplace method)

Numeric helpers used by ``numerics.experiments.cnnflow_fourier`` return exact SymPy numbers: :func:`pseudo_variance`,
:func:`law_weights`, :func:`relu_hp_b0`.

References
----------
.. [B19] R. Basri et al., NeurIPS 2019 (odd-frequency null space, circle rates).
.. [X20] Z.-Q. J. Xu et al., Commun. Comput. Phys. 28 (2020) (frequency principle).
"""
from __future__ import annotations

import functools

import sympy as sp
from sympy.simplify.fu import TR8

from theory.derivation import Derivation
from theory.validate import check_int

__all__ = ["plancherel", "white_spectrum", "band_theorems", "relu_harmonics", "mode_rate", "frozen_rate",
           "pseudo_variance", "law_weights", "relu_hp_b0", "circular_condition",
           "stretched_exponent_coefficient"]

_s, _A = sp.symbols("s A", positive=True)
_q, _N, _m = sp.symbols("q N m", positive=True, integer=True)
_j, _xi = sp.symbols("j xi", integer=True, nonnegative=True)
_p = sp.Symbol("p", integer=True, positive=True)
_k = sp.Symbol("k", integer=True, positive=True)
_th, _psi = sp.symbols("theta psi", real=True)


# --------------------------------------------------------------------------- exact helpers
def pseudo_variance(N: int, q: int, xi: int, s2=sp.Integer(1)) -> sp.Expr:
    """Exact ``C(xi) = E w^(xi)^2 = s^2 sum_{j<q} exp(-4 pi i j xi / N)`` (docs/cnnflow.md §6 (iii)).

    Parameters
    ----------
    N, q, xi : int
        Signal length, kernel length ``1 <= q <= N``, frequency ``0 <= xi < N``.
    s2 : sympy number
        Entry variance ``s^2``.
    """
    check_int("N", N, 1)
    check_int("q", q, 1, N)
    check_int("xi", xi, 0, N - 1)
    return s2 * _geometric_C().subs({_q: q, _N: N, _xi: xi})


@functools.lru_cache(maxsize=None)
def _geometric_C() -> sp.Expr:
    """``sum_{j<q} exp(-4 pi i j xi / N)`` summed by SymPy (a Piecewise geometric sum)."""
    return sp.Sum(sp.exp(-4 * sp.pi * sp.I * _j * _xi / _N), (_j, 0, _q - 1)).doit()


def law_weights(N: int, q: int, xi: int, s2=sp.Integer(1)) -> tuple[sp.Expr, sp.Expr]:
    """``(mu_+, mu_-) = ((q s^2 +- |C(xi)|) / 2)``: ``|w^(xi)|^2 = mu_+ chi2_1 + mu_- chi2_1'``."""
    c = pseudo_variance(N, q, xi, s2)
    ab = sp.sqrt(sp.simplify(sp.expand_complex(c * sp.conjugate(c))))
    return sp.nsimplify(sp.simplify((q * s2 + ab) / 2)), sp.nsimplify(sp.simplify((q * s2 - ab) / 2))


def circular_condition(N: int, q: int, xi: int) -> bool:
    """True iff ``C(xi) = 0``: ``2 q xi / N`` integer and ``2 xi / N`` not (exponential law)."""
    check_int("N", N, 1)
    check_int("q", q, 1, N)
    check_int("xi", xi, 0, N - 1)
    return (2 * q * xi) % N == 0 and (2 * xi) % N != 0


def relu_hp_b0(p: int) -> sp.Expr:
    """``h_p(A = 1, b = 0)`` of ReLU, ``(1/pi) int relu(cos th) cos(p th) dth`` (exact)."""
    check_int("p", p, 0)
    return sp.simplify(sp.integrate(sp.cos(_th) * sp.cos(p * _th), (_th, -sp.pi / 2, sp.pi / 2)) / sp.pi)


# --------------------------------------------------------------------------- derivations
def _dft(v, N, xi):
    return sum(v[l] * sp.exp(-2 * sp.pi * sp.I * l * xi / N) for l in range(N))


def plancherel() -> Derivation:
    """Plancherel and the cross-correlation theorem in the DFT convention of docs/cnnflow.md §0 (exact)."""
    d = Derivation("DFT convention: Plancherel and cross-correlation theorem (docs/cnnflow.md §0, §5 B1)")
    N = 5
    v = sp.symbols(f"v0:{N}", real=True)
    lhs = sum(x**2 for x in v)
    rhs = sp.expand(sum(sp.expand_complex(_dft(v, N, xi) * sp.conjugate(_dft(v, N, xi)))
                        for xi in range(N)) / N)
    d.step("sum_l v_l^2 and (1/N) sum_xi |v^(xi)|^2 for symbolic real v, N = 5", sp.Eq(lhs, sp.nsimplify(rhs)))
    d.check("Plancherel sum|v|^2 = (1/N) sum|v^|^2 (N=5, symbolic v)", sp.simplify(rhs - lhs) == 0)
    # cross-correlation theorem in the group ring Z[omega]/(omega^N - 1), omega = exp(-2 pi i/N)
    N, q = 6, 3
    w = sp.symbols(f"w0:{q}", real=True)
    x = sp.symbols(f"x0:{N}", real=True)
    om = sp.Symbol("omega")
    ok = True
    for xi in range(N):
        corr = [sum(w[j] * x[(l + j) % N] for j in range(q)) for l in range(N)]
        lhs = sp.expand(sum(corr[l] * om**(l * xi) for l in range(N)))
        what_conj = sum(w[j] * om**(N - (j * xi) % N) for j in range(q))      # omega^{-j xi}
        xhat = sum(x[l] * om**(l * xi) for l in range(N))
        diff = sp.rem(sp.Poly(sp.expand(lhs - what_conj * xhat), om), sp.Poly(om**N - 1, om))
        ok = ok and diff.is_zero
    d.step("(w * x)^(xi) = conj(w^(xi)) x^(xi): reduce both sides modulo omega^N - 1 (N = 6, q = 3)",
           sp.Eq(sp.Symbol(r"\widehat{w\star x}(\xi)"), sp.Symbol(r"\overline{\hat w(\xi)}\,\hat x(\xi)")))
    d.check("cross-correlation theorem, every xi (N=6, q=3, symbolic w, x)", bool(ok))
    d.results["plancherel"] = sp.Eq(sp.Symbol(r"{\sum_l v_l^2}"), sp.Symbol(r"{\frac1N\sum_\xi|\hat v(\xi)|^2}"))
    return d


@functools.lru_cache(maxsize=None)
def white_spectrum() -> Derivation:
    """Mean, pseudo-variance, variance and law of ``|w^(xi)|^2``; LLN rate of ``S_m`` (docs/cnnflow.md §6)."""
    d = Derivation("Random Gaussian kernels in Fourier: white on average (docs/cnnflow.md §6)")
    phase = 2 * sp.pi * _j * _xi / _N
    # (ii) mean: E w_j w_j' = s^2 delta_jj', so only the diagonal j = j' survives
    diag = sp.simplify(sp.exp(-sp.I * phase) * sp.exp(sp.I * phase))
    mean = d.step("E|w^(xi)|^2 = sum_{j,j'} E[w_j w_j'] e^{-i(phase_j - phase_j')} = s^2 sum_{j<q} |e^{-i phase_j}|^2",
                  sp.Sum(_s**2 * diag, (_j, 0, _q - 1)).doit())
    d.check("E|w^(xi)|^2 = q s^2 for every xi", sp.simplify(mean - _q * _s**2) == 0)
    # (iii) pseudo-variance: geometric sum
    C = sp.Sum(_s**2 * sp.exp(-4 * sp.pi * sp.I * _j * _xi / _N), (_j, 0, _q - 1))
    Cc = d.step("C(xi) = E w^(xi)^2 = s^2 sum_{j<q} e^{-4 pi i j xi/N} (geometric sum)", C.doit())
    absC = _s**2 * sp.Abs(sp.sin(2 * sp.pi * _q * _xi / _N) / sp.sin(2 * sp.pi * _xi / _N))
    okC = True
    for (N, q, xi) in [(16, 3, 1), (16, 3, 3), (12, 5, 3), (16, 16, 3), (16, 8, 5), (10, 4, 2)]:
        cv = pseudo_variance(N, q, xi)
        mod = sp.simplify(sp.sqrt(sp.expand_complex(cv * sp.conjugate(cv))))
        okC = okC and sp.simplify(mod - absC.subs({_s: 1, _q: q, _N: N, _xi: xi})) == 0
    d.step("|C(xi)| (checked exactly at 6 (N, q, xi) against the sum)", sp.Eq(sp.Abs(sp.Symbol("C")), absC))
    d.check("|C| = s^2 |sin(2 pi q xi/N)/sin(2 pi xi/N)| (6 exact cases)", bool(okC))
    # (iv) Isserlis: (Re w^, Im w^) is a real Gaussian vector; covariance from P = q s^2 and C = cr + i ci
    P, cr, ci = sp.symbols("P c_r c_i", real=True)
    Sigma = sp.Matrix([[P + cr, -ci], [-ci, P - cr]]) / 2
    d.step("Cov(Re w^, Im w^) from E|w^|^2 = P and E w^2 = C", Sigma)
    var = sp.expand(2 * (Sigma * Sigma).trace())          # Var(X1^2 + X2^2) = 2 tr Sigma^2 (Isserlis)
    varr = d.step("Var|w^|^2 = 2 tr(Sigma^2) (Isserlis: E X_i^2 X_j^2 = S_ii S_jj + 2 S_ij^2)", sp.factor(var))
    d.check("Var|w^(xi)|^2 = (q s^2)^2 + |C|^2", sp.simplify(varr - (P**2 + cr**2 + ci**2)) == 0)
    # Isserlis itself, for a generic 2x2 covariance, by Gaussian integration
    a11, a12, a22 = sp.symbols("S11 S12 S22", real=True)
    # moment generating function route: E[x1^2 x2^2] = d^4/(dt1^2 dt2^2) exp(t^T S t / 2) at t = 0
    t1, t2 = sp.symbols("t1 t2", real=True)
    mgf = sp.exp((a11 * t1**2 + 2 * a12 * t1 * t2 + a22 * t2**2) / 2)
    m22 = sp.diff(mgf, t1, 2, t2, 2).subs({t1: 0, t2: 0})
    m40 = sp.diff(mgf, t1, 4).subs({t1: 0, t2: 0})
    d.check("Isserlis: E x1^2 x2^2 = S11 S22 + 2 S12^2 (from the Gaussian mgf)",
            sp.simplify(m22 - (a11 * a22 + 2 * a12**2)) == 0)
    d.check("Isserlis: E x1^4 = 3 S11^2", sp.simplify(m40 - 3 * a11**2) == 0)
    ev = list(Sigma.subs(ci, 0).eigenvals().keys())
    d.step("eigenvalues of Sigma (rotate C to real): mu_+- = (q s^2 +- |C|)/2 -> |w^|^2 = mu_+ chi2_1 + mu_- chi2_1'",
           sp.FiniteSet(*ev))
    d.check("mu_+- = (P +- |C|)/2 (C rotated to the real axis, c_r = |C|)",
            {sp.simplify(e) for e in ev} == {(P + cr) / 2, (P - cr) / 2})
    d.step("exponential law (mean q s^2, two equal chi2_1 halves) iff mu_+ = mu_- iff C(xi) = 0 iff "
           "2 q xi/N in Z and 2 xi/N not in Z", sp.Eq(sp.Symbol("C"), 0))
    d.check("C = 0 exactly where circular_condition says (N=16,q in 1..16, all xi; N=12, q=5)",
            all((pseudo_variance(N, q, xi) == 0) == circular_condition(N, q, xi)
                for N, qs in [(16, range(1, 17)), (12, [5, 6])] for q in qs for xi in range(N)))
    slope = _lln_steps(d, varr, P)
    d.results.update({"mean": mean, "C": Cc, "abs_C": absC, "variance": P**2 + sp.Abs(sp.Symbol("C"))**2,
                      "lln_exponent": slope})
    return d


def _lln_steps(d: Derivation, varr, P) -> sp.Expr:
    """(vi) LLN: S_m = mean of m independent copies X_k = |w_k^(xi)|^2; the exponent of its s.d. in m."""
    m = sp.Symbol("m", positive=True, integer=True)
    kk = sp.Symbol("k", positive=True, integer=True)
    v = sp.Symbol("v", positive=True)
    var_Sm = d.step("Var S_m = m^-2 sum_{k,k'} Cov(X_k, X_k') = m^-2 sum_k Var X_k (independent kernels, "
                    "Var X_k = v)", sp.Sum(v / m**2, (kk, 1, m)).doit())
    d.check("Var S_m = Var|w^(xi)|^2 / m", sp.simplify(var_Sm - v / m) == 0)
    sd = sp.sqrt(var_Sm.subs(v, varr)) / P
    slope = d.step("each sd(S_m(xi)/(q s^2)) ~ m^e, e = d log sd / d log m; sup over the N fixed frequencies "
                   "of m^(1/2)(S_m/(q s^2) - 1) converges (CLT), so E sup ~ m^e too",
                   sp.simplify(m * sp.diff(sp.log(sd), m)))
    d.check("LLN exponent -1/2", slope == sp.Rational(-1, 2))
    return slope


@functools.lru_cache(maxsize=None)
def band_theorems() -> Derivation:
    """B1 (affine sigma), B2 (degree-p polynomial sigma), B3 (ReLU, no bias, pure tone) -- docs/cnnflow.md §5."""
    d = Derivation("Band theorems B1-B3 (docs/cnnflow.md §5)")
    # B1 is the cross-correlation theorem (plancherel()) applied to u = alpha sum_k a_k (w_k * x) + const
    al = sp.Symbol("alpha")
    d.step("B1: sigma(z) = alpha z + beta => u^(xi) = alpha conj(g^(xi)) x^(xi) (xi != 0), g = sum_k a_k w_k;"
           " zero for |xi| > K whatever theta", sp.Eq(sp.Symbol(r"\hat u(\xi)"), al * sp.Symbol(r"\overline{\hat g(\xi)}\hat x(\xi)")))
    d.check("B1 relies on the cross-correlation theorem", plancherel().verified)
    # B2: z(theta) band-limited to K is a Laurent polynomial in E = e^{i theta}; z^p reaches p K exactly
    E = sp.Symbol("E")
    okB2 = True
    for K in (1, 2, 3):
        c = sp.symbols(f"c0:{2 * K + 1}")
        z = sum(c[k + K] * E**k for k in range(-K, K + 1))
        for pdeg in (1, 2, 3):
            poly = sp.Poly(sp.expand(z**pdeg * E**(pdeg * K)), E)   # shift to a polynomial
            top = poly.degree() - pdeg * K
            okB2 = okB2 and top == pdeg * K and poly.LC() == c[2 * K]**pdeg
    d.step("B2: sigma polynomial of degree p, z band-limited to K => sigma(z) band-limited to pK "
           "(Laurent degree of z^p, with top coefficient c_K^p != 0 generically)",
           sp.Symbol(r"\hat u(x)(\xi) = 0 \ \text{for}\ |\xi| > pK \ (pK < N/2)"))
    d.check("deg_E z^p = pK for K = 1..3, p = 1..3 (symbolic coefficients)", bool(okB2))
    # B3: ReLU without bias on a pure tone: relu(A cos(th)) harmonics
    hp = sp.simplify(sp.integrate(_A * sp.cos(_th) * sp.cos(_p * _th), (_th, -sp.pi / 2, sp.pi / 2)) / sp.pi)
    hp = d.step("B3: h_p = (1/pi) int_{-pi/2}^{pi/2} A cos(th) cos(p th) dth", hp)
    odd = sp.simplify(hp.subs(_p, 2 * _k + 1).rewrite(sp.cos))
    odd_vals = [sp.simplify(relu_hp_b0(2 * k + 1)) for k in range(1, 8)]
    d.step("at odd p = 2k+1 >= 3", odd)
    d.check("h_p = 0 for odd p = 3..15 (exact integrals)", all(v == 0 for v in odd_vals))
    d.check("h_1 = 1/2 and h_2 = 2/(3 pi) (A = 1)", relu_hp_b0(1) == sp.Rational(1, 2)
            and sp.simplify(relu_hp_b0(2) - 2 / (3 * sp.pi)) == 0)
    d.step("each ReLU feature A relu(cos(th_l + psi)) then has no odd harmonic >= 3, so u^(xi) = 0 at odd "
           "xi >= 3 (N even) for every theta: those components are never learned")
    # band edges: the Laurent degrees computed above, read as a formula in (degree, K)
    pdeg, Kb = sp.symbols("p K", positive=True, integer=True)
    d.results.update({"h_p_relu_b0": hp, "band_edge": pdeg * Kb})
    return d


@functools.lru_cache(maxsize=None)
def relu_harmonics() -> Derivation:
    """ReLU cosine coefficients ``h_p(A, b) = (1/pi) int relu(A cos th + b) cos(p th) dth`` (docs/cnnflow.md §5)."""
    d = Derivation("ReLU harmonics h_p(A, b) (docs/cnnflow.md §5)")
    t0 = sp.Symbol("theta_0", positive=True)
    b = -_A * sp.cos(t0)                       # support of relu(A cos th + b) is |th| < theta_0
    integrand = (_A * sp.cos(_th) + b) * sp.cos(_p * _th)
    pp = sp.Symbol("p", integer=True)
    gen = sp.integrate((_A * sp.cos(_th) + b) * sp.cos(pp * _th), (_th, -t0, t0)) / sp.pi
    hp = d.step("h_p, p >= 2 (SymPy integral over |th| < theta_0 = arccos(-b/A))",
                sp.simplify(sp.piecewise_fold(gen).args[-1][0] if isinstance(gen, sp.Piecewise) else gen))
    known = 2 * _A * (sp.cos(t0) * sp.sin(_p * t0) - _p * sp.sin(t0) * sp.cos(_p * t0)) / (sp.pi * _p * (_p**2 - 1))
    okp = all(sp.simplify((hp - known).subs(_p, pv).subs(pp, pv)) == 0 for pv in range(2, 7))
    d.check("h_p equals the closed form (docs/cnnflow.md §5) 2A(cos t0 sin p t0 - p sin t0 cos p t0)/(pi p (p^2-1)), p = 2..6", bool(okp))
    h1 = d.step("h_1", sp.simplify(sp.integrate(integrand.subs(_p, 1), (_th, -t0, t0)) / sp.pi))
    d.check("h_1 = A (theta_0 - sin theta_0 cos theta_0) / pi",
            sp.simplify(h1 - _A * (t0 - sp.sin(t0) * sp.cos(t0)) / sp.pi) == 0)
    lead = d.step("leading term as p -> oo: h_p ~ -2 A sin(theta_0) cos(p theta_0) / (pi p^2)",
                  -2 * _A * sp.sin(t0) * sp.cos(_p * t0) / (sp.pi * _p**2))
    cc, ss = sp.symbols("cc ss", real=True)       # cos(p t0), sin(p t0): bounded by 1
    rem = sp.simplify(((known - lead) * _p**3).subs({sp.cos(_p * t0): cc, sp.sin(_p * t0): ss}))
    d.check("h_p - lead = O(p^-3): p^3 (h_p - lead) has a finite limit for bounded cos, sin(p theta_0)",
            bool(sp.limit(rem, _p, sp.oo).is_finite))
    d.results.update({"h_p": known, "h_1": h1, "leading": lead})
    return d


def stretched_exponent_coefficient(sigma_A=1) -> sp.Expr:
    """``3 (pi / (2 sigma_A))^(2/3)``: slope of ``log t_xi`` vs ``xi^(2/3)`` (tanh, Gaussian kernels)."""
    return _laplace(sigma_A)[1]


def _laplace(sigma_A=1) -> tuple[sp.Expr, sp.Expr]:
    """``(beta, c)`` with ``min_A [p pi/A + A^2/sigma_A^2] = c p^beta`` (Laplace method, docs/cnnflow.md §5)."""
    pp, A, sA = sp.symbols("p A sigma_A", positive=True)
    g = pp * sp.pi / A + A**2 / sA**2
    Astar = [r for r in sp.solve(sp.diff(g, A), A) if r.is_positive][0]
    gmin = sp.simplify(g.subs(A, Astar))
    beta = sp.simplify(sp.limit(pp * sp.diff(sp.log(gmin), pp), pp, sp.oo))
    val = sp.simplify(gmin / pp**beta)
    return beta, sp.nsimplify(val.subs(sA, sigma_A))


@functools.lru_cache(maxsize=None)
def mode_rate() -> Derivation:
    """``lambda_xi = (N m / 4) sum_{p = +-xi (N)} E h_p^2`` and ``t_xi lambda_xi = 1`` (docs/cnnflow.md §5).

    The prefactor is the product of the three factors derived here: ``m`` kernels, the phase average
    ``E_psi cos p(th + psi) cos p(th' + psi) = cos(p(th - th'))/2`` and the circulant eigenvalue
    ``N/2`` of ``cos(p(th_l - th_l'))`` on the Fourier mode ``xi = +-p (N)``.
    """
    d = Derivation("Decoupled Fourier modes with frozen kernels: lambda_xi and t_xi (docs/cnnflow.md §5)")
    pp = sp.Symbol("p", integer=True, positive=True)
    th1, th2 = sp.symbols("theta theta'", real=True)
    prod = d.step("product to sum", TR8(sp.cos(pp * (th1 + _psi)) * sp.cos(pp * (th2 + _psi))))
    same = d.step("psi uniform (needs C(1) = 0): E_psi cos p(th+psi) cos p(th'+psi)",
                  sp.simplify(sp.integrate(sp.expand(prod), (_psi, 0, 2 * sp.pi)) / (2 * sp.pi)))
    half = sp.simplify(same / sp.cos(pp * (th1 - th2)))
    d.check("E_psi cos p(th+psi) cos p(th'+psi) = cos(p(th - th')) * const", half.free_symbols == set())
    N, m = sp.symbols("N m", positive=True, integer=True)
    ll, jj, nn = sp.Symbol("l", integer=True, nonnegative=True), sp.Symbol("j", integer=True), sp.Symbol("n", integer=True)
    G = d.step("geometric sum G(j) = sum_{l<N} e^{2 pi i l j/N}", sp.Sum(sp.exp(2 * sp.pi * sp.I * ll * jj / N), (ll, 0, N - 1)).doit())
    circ = d.step("eigenvalue of cos(p(th_l - th_l')) on mode xi = (G(p - xi) + G(-p - xi))/2; at p - xi = N n "
                  "the first term is N, the second vanishes (0 < 2 xi < N)", sp.simplify(G.subs(jj, N * nn) / 2))
    okc = all(sp.simplify(sp.nsimplify(sum(sp.cos(2 * sp.pi * pv * l / Nv) * sp.exp(-2 * sp.pi * sp.I * l * xv / Nv)
                                          for l in range(Nv)))
                          - (circ.subs(N, Nv) if (pv - xv) % Nv == 0 or (pv + xv) % Nv == 0 else 0)) == 0
              for Nv, pv, xv in [(8, 2, 2), (8, 2, 6), (8, 3, 1), (8, 1, 1), (8, 10, 2)])
    d.check("sum_l cos(2 pi p l/N) e^{-2 pi i l xi/N} = N/2 iff p = +-xi mod N, else 0 (N = 8 cases)", bool(okc))
    pref = d.step("lambda_xi = m * E_psi-factor * circulant eigenvalue * sum_{p = +-xi (N)} E h_p^2: prefactor",
                  sp.simplify(m * half * circ))
    d.check("prefactor = N m / 4", sp.simplify(pref - N * m / 4) == 0)
    lam, t = sp.symbols("lambda t", positive=True)
    tl = d.step("r^(xi, t) = e^{-lambda_xi t} r^(xi, 0): first t with |r^| = e^{-1}|r^(xi, 0)|, times lambda_xi",
                sp.simplify(sp.solve(sp.Eq(sp.exp(-lam * t), sp.exp(-1)), t)[0] * lam))
    d.results.update({"lambda_prefactor": pref, "t_lambda": tl})
    return d


@functools.lru_cache(maxsize=None)
def frozen_rate() -> Derivation:
    """Frozen-kernel rate ``lambda_xi`` and its decay for ReLU (power law) and tanh (exponential)."""
    d = Derivation("Frozen-kernel Fourier rates lambda_xi (docs/cnnflow.md §5)")
    mr = mode_rate()
    d.steps.extend(mr.steps)
    d.checks.update(mr.checks)
    th1, th2 = sp.symbols("theta theta'", real=True)
    d.check("cross terms p != p' vanish (p, p' = 1..3, exact integrals)",
            all(sp.integrate(sp.cos(a * (th1 + _psi)) * sp.cos(b * (th2 + _psi)), (_psi, 0, 2 * sp.pi)) == 0
                for a in range(1, 4) for b in range(1, 4) if a != b))
    pref = mr.results["lambda_prefactor"]
    lam = d.step("lambda_xi", pref * sp.Symbol(r"\sum_{p\equiv\pm\xi}\mathbb{E}h_p^2"))
    rho = sp.Symbol("rho", positive=True)
    sA2 = d.step("A e^{i psi} = rho conj(w^(1)) => E A^2 = rho^2 E|w^(1)|^2", rho**2 * white_spectrum().results["mean"])
    hp = band_theorems().results["h_p_relu_b0"]
    Eh2 = sp.simplify(hp.subs(_A, 1)**2) * sA2
    lam_relu = d.step("ReLU, b = 0, even p (no aliasing): lambda_xi = prefactor rho^2 q s^2 h_p(1,0)^2",
                      sp.simplify((pref * Eh2).subs(_p, 2 * _k)))
    xi = sp.Symbol("xi", positive=True)
    expo = sp.limit(xi * sp.diff(sp.log(lam_relu.subs(_k, xi / 2)), xi), xi, sp.oo)
    d.step("d log lambda_xi / d log xi as xi -> oo (ReLU, frozen)", expo)
    d.check("ReLU frozen: t_xi = 1/lambda_xi ~ xi^4", expo == -4)
    lead = relu_harmonics().results["leading"]
    t0 = sp.Symbol("theta_0", positive=True)
    expo_b = d.step("with a bias: |h_p| <= 2 A sin(theta_0) / (pi p^2) (leading term), exponent of p in h_p^2",
                    sp.limit(_p * sp.diff(sp.log((lead / sp.cos(_p * t0))**2), _p), _p, sp.oo))
    d.check("ReLU frozen with bias: the same exponent", expo_b == expo)
    gate = sp.simplify(sp.integrate(sp.cos(_p * _th), (_th, -sp.pi / 2, sp.pi / 2)) / sp.pi)
    d.step("lazy NTK: the w, b features carry sigma'(A cos th) = 1{cos th > 0}; its harmonics g_p", gate)
    d.check("g_p = 0 at even p = 2..14", all(gate.subs(_p, pv) == 0 for pv in range(2, 15, 2)))
    g2 = d.step("|g_xi|^2 at odd xi = 2k + 1", sp.simplify(gate.subs(_p, 2 * _k + 1)**2))
    g2 = sp.simplify(g2.subs(_k, (xi - 1) / 2))
    expo_ntk = d.step("d log g_xi^2 / d log xi; the patch Gram <P_l x, P_l' x> only shifts xi by +-1, "
                      "so the w-block eigenvalue at xi is ~ g_{xi+-1}^2", sp.limit(xi * sp.diff(sp.log(g2), xi), xi, sp.oo))
    d.check("lazy NTK: t_xi ~ xi^2", expo_ntk == -2)
    d.results.update(_tanh_steps(d))
    d.results.update({"lambda_xi": lam, "lambda_relu_b0": lam_relu, "relu_exponent": expo,
                      "ntk_exponent": expo_ntk, "frozen_time_exponent": -expo, "ntk_time_exponent": -expo_ntk,
                      "lambda_prefactor": pref, "t_lambda": mr.results["t_lambda"]})
    return d


def _tanh_steps(d: Derivation) -> dict:
    """tanh: pole distance eta and the stretched exponential (steps and checks appended to ``d``)."""
    eta = sp.Symbol("eta", positive=True)
    pole = sp.simplify(sp.expand_trig(sp.cos(sp.pi / 2 + sp.I * eta)).rewrite(sp.exp) - (-sp.I * sp.sinh(eta)).rewrite(sp.exp))
    d.check("cos(pi/2 + i eta) = -i sinh(eta)", pole == 0)
    sols = [r for r in sp.solve(sp.Eq(_A * sp.sinh(eta), sp.pi / 2), eta)
            if sp.im(sp.N(r.subs(_A, 1))) == 0 and sp.N(r.subs(_A, 1)) > 0]
    eta_sol = d.step("tanh, b = 0: |h_p| ~ e^{-p eta}, eta > 0 solves A sinh(eta) = pi/2", sp.simplify(sols[0]))
    d.check("eta = arsinh(pi/(2A)) (A = 1/2, 1, 3)",
            all(abs(sp.N(eta_sol.subs(_A, av) - sp.asinh(sp.pi / (2 * av)), 30)) < 1e-25
                for av in (sp.Rational(1, 2), 1, 3)))
    beta, coef = _laplace(1)
    d.step("Gaussian kernels, A^2 ~ Exp(sigma_A^2): Laplace min_A [p pi/A + A^2/sigma_A^2] = c p^beta,"
           " log t_xi ~ c xi^beta; beta", beta)
    d.step("c (sigma_A = 1)", coef)
    d.check("beta = 2/3", beta == sp.Rational(2, 3))
    d.check("c = 3 (pi/2)^(2/3) for sigma_A = 1", sp.simplify(coef - 3 * (sp.pi / 2)**sp.Rational(2, 3)) == 0)
    return {"tanh_eta": eta_sol, "stretched_coefficient": coef, "stretched_power": beta}
