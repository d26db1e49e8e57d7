"""``sbcheck``: list, check, kernels, kernel, eigen, report.

Every command has ``--json`` (one JSON document on stdout, nothing else there); progress and logs go
to stderr.  Exit codes: 0 success (for ``check``: every selected claim PASS and every control FAIL),
1 a claim or control came out wrong, 2 bad usage or bad input (one line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import sys

from reports import network_args
from typing import Any, Sequence

__all__ = ["main"]


class UsageError(Exception):
    """Bad usage: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage + exit 2; keep it to one line
        raise UsageError(f"{self.prog}: {message}")


def _emit(obj: Any, as_json: bool, text: str) -> None:
    if as_json:
        from numerics.verify.registry import dumps
        sys.stdout.write(dumps(obj) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def _log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ------------------------------------------------------------------------------- commands
def _check_modules(modules: Sequence[str]) -> None:
    """Each ``--module`` is a dotted module name or an existing ``.py`` file (UsageError otherwise)."""
    import os
    from theory.validate import shown
    for m in modules:
        if m.endswith(".py") and os.path.isfile(m):
            continue
        if not (m and all(part.isidentifier() for part in m.split("."))):
            raise UsageError(f"sbcheck: `--module` must be a dotted module name (e.g. mypkg.claims) or an "
                             f"existing .py file; got {shown(m)}")


def _load(modules: Sequence[str] = ()) -> None:
    from numerics.claims import load_all
    _check_modules(modules)
    load_all(tuple(modules))


def cmd_list(args) -> int:
    from numerics.verify.registry import select
    _load(args.module)
    claims = [c.describe() for c in select(args.ids)]
    lines = [f"{c['id']:<34} {c['source']}" for c in claims]
    _emit({"claims": claims}, args.json, "\n".join(lines) or "(no claims)")
    return 0


def _config(args):
    from numerics.verify.registry import Config
    from numerics.verify.runner import check_scheduler, default_jobs
    check_scheduler(args.scheduler)
    return Config(profile=args.profile, seed=args.seed, jobs=default_jobs() if args.jobs is None else max(1, args.jobs), scheduler=args.scheduler,
                  cache=not args.no_cache)


def _seeds(spec: str | None) -> list[int] | None:
    """``--seeds A:B`` -> [A, ..., B-1] (Python range), at most 1000 seeds."""
    if spec is None:
        return None
    try:
        a, b = (int(x) for x in spec.split(":"))
    except ValueError:
        raise UsageError(f"sbcheck: `--seeds` must be A:B with integers 0 <= A < B (seeds A..B-1); got {spec!r}") from None
    if not (0 <= a < b and b - a <= 1000 and b <= 2**63):
        raise UsageError(f"sbcheck: `--seeds` must be A:B with 0 <= A < B and at most 1000 seeds; got {spec!r}")
    return list(range(a, b))


def run_selected(claims, cfg, args, label: str):
    """Run ``claims`` with the CLI's options, one progress line per claim on stderr as it finishes."""
    from numerics.verify.runner import run_claims
    seeds = _seeds(getattr(args, "seeds", None))
    return run_claims(claims, cfg, seeds=seeds, jobs=cfg.jobs, scheduler=cfg.scheduler,
                      modules=tuple(args.module),
                      on_result=_progress_lines(len(claims) * (len(seeds) if seeds else 1), label))


def _progress_lines(total: int, label: str):
    """A callback printing one line per finished claim on stderr (stdout stays for the result)."""
    count = [0]

    def on_result(r):
        count[0] += 1
        _log(f"{label} [{count[0]}/{total}] {'ok  ' if r.ok else 'FAIL'} {r.claim.id} (seed {r.seed}, "
             f"{r.wall_time:.1f}s)")
    return on_result


def _summary(results, cfg, wall: float, seeds) -> dict:
    singles = [r for x in results for r in getattr(x, "results", [x])]
    n_ctrl = sum(len(r.controls) for r in singles)
    n_rej = sum(ev.verdict == "FAIL" and ev.error is None for r in singles for _, ev in r.controls)
    n_pass = sum(x.verdict == "PASS" for x in results)
    return {"claims": len(results), "passed": n_pass, "failed": len(results) - n_pass,
            "controls": n_ctrl, "controls_rejected": n_rej, "all_ok": all(x.ok for x in results),
            "profile": cfg.profile, "seed": cfg.seed, "seeds": seeds, "jobs": cfg.jobs,
            "wall_time": round(wall, 3), "cpu_time": round(sum(r.wall_time for r in singles), 3)}


def _check_lines(results, summary) -> list[str]:
    lines = []
    for x in results:
        for r in getattr(x, "results", [x]):
            ctrl = " ".join("rejected" if (ev.verdict == "FAIL" and ev.error is None) else
                            ("ERROR" if ev.error else "NOT-REJECTED") for _, ev in r.controls)
            lines.append(f"{r.verdict:4}  {r.claim.id:<34} seed {r.seed:<3} controls: {ctrl or '-'}  "
                         f"{r.wall_time:7.2f}s")
            if r.verdict != "PASS":
                lines += [f"      {cr.name}: measured {cr.measured!s:.40} vs {cr.tolerance}"
                          for cr in r.evidence.criteria if not cr.ok]
                if r.evidence.error:
                    lines.append(f"      error: {r.evidence.error}")
            lines += [f"      control {c.description!r} crashed: {ev.error}" for c, ev in r.controls if ev.error]
            lines.append(f"      resolution: {r.resolution()['summary']}")
    lines.append(f"{summary['passed']}/{summary['claims']} claims PASS, {summary['controls_rejected']}/"
                 f"{summary['controls']} controls rejected ({summary['wall_time']:.1f}s wall, "
                 f"profile {summary['profile']}, " + (f"seeds {summary['seeds'][0]}..{summary['seeds'][-1]}"
                                                      if summary["seeds"] else f"seed {summary['seed']}") + ")")
    return lines


def cmd_check(args) -> int:
    import time
    from numerics.verify.registry import select
    _load(args.module)
    cfg = _config(args)
    claims = select(args.ids)
    if not claims:
        raise UsageError("sbcheck check: the registry is empty")
    t0 = time.perf_counter()
    results = run_selected(claims, cfg, args, "check")
    summary = _summary(results, cfg, time.perf_counter() - t0, _seeds(args.seeds))
    _emit({"results": [r.to_json() for r in results], "summary": summary}, args.json,
          "\n".join(_check_lines(results, summary)))
    return 0 if summary["all_ok"] else 1


def cmd_kernels(args) -> int:
    from theory import KERNELS, kernel_description
    import sympy
    ks = [{"name": n, "description": kernel_description(n), "expr": str(KERNELS[n]),
           "latex": sympy.latex(KERNELS[n])} for n in KERNELS]
    _emit({"kernels": ks}, args.json, "\n".join(f"{k['name']:<11} {k['description']}" for k in ks))
    return 0


def cmd_kernel(args) -> int:
    if args.activation is not None or args.name is None:              # issue 14: the user's own network
        return network_args.cmd_kernel(args, _emit)
    import mpmath
    from theory import kernel_value
    from theory.validate import check_dps
    dps = check_dps("--dps", args.dps)
    with mpmath.workdps(dps + 10):                    # evaluated with 10 guard digits, printed with dps
        value = kernel_value(args.name, args.t, mode=args.mode)
    out = {"kernel": args.name, "t": args.t, "mode": args.mode, "value": float(value)}
    if args.mode == "exact":
        out["exact"] = str(value)
    elif args.mode == "mpmath":
        out["digits"] = _mp_digits(value, dps)
    _emit(out, args.json, f"{args.name}({args.t}) = {out.get('exact', out.get('digits', out['value']))}")
    return 0


def _mp_digits(x, dps: int) -> str:
    import mpmath
    return mpmath.nstr(x, dps, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf) \
        if x != 0 else "0"


def _krange(spec: str) -> tuple[int, int]:
    from theory.validate import shown
    try:
        if ":" in spec:
            a, b = spec.split(":")
            k0, k1 = int(a), int(b)
        else:
            k0 = k1 = int(spec)
    except ValueError:
        raise UsageError(f"sbcheck eigen: `--k` must be K or K0:K1 with integers 0 <= K0 <= K1; got {shown(spec)}") from None
    if not (0 <= k0 <= k1):
        raise UsageError(f"sbcheck eigen: `--k` must satisfy 0 <= K0 <= K1; got {shown(spec)}")
    if k1 - k0 > 100_000:
        raise UsageError(f"sbcheck eigen: `--k` range at most 100000 long; got {shown(spec)}")
    return k0, k1


def cmd_eigen(args) -> int:
    from theory import eigenvalues
    k0, k1 = _krange(args.k)
    if args.activation is not None or args.name is None:              # issue 14: the user's own network
        return network_args.cmd_eigen(args, _emit, range(k0, k1 + 1))
    eig = eigenvalues(args.name, args.d, range(k0, k1 + 1), mode=args.mode, dps=args.dps)
    rows = []
    for e in eig:
        row = {"k": e.k, "value": float(e.value), "multiplicity": int(e.multiplicity)}
        if args.mode == "exact":
            row["exact"] = str(e.value)
        elif args.mode == "mpmath":
            row["digits"] = e.digits_str
            row["trusted_digits"] = e.trusted_digits
        else:
            row["trusted_digits"] = e.trusted_digits
        rows.append(row)
    out = {"kernel": args.name, "d": args.d, "mode": args.mode, "eigenvalues": rows}
    if args.mode == "mpmath":
        out["dps"] = args.dps
    text = "\n".join(f"k={r['k']:<6} N={_short(r['multiplicity']):<12} lambda="
                     f"{_short(r.get('exact', r.get('digits', r['value'])))}" for r in rows)
    _emit(out, args.json, text)
    return 0


def _short(x, limit: int = 200) -> str:
    """``str(x)``, cut in the text output (the JSON keeps every digit): N(d, k) and exact values can
    have many thousand digits."""
    s = str(x)
    if len(s) <= limit:
        return s
    if isinstance(x, int):
        return f"{s[0]}.{s[1:16]}e+{len(s) - 1} ({len(s)} digits; --json for all)"
    return f"{s[:limit - 40]}... ({len(s)} characters; --json for all)"


def cmd_report(args) -> int:
    from numerics.verify.registry import select
    from reports.report import make_report
    _load(args.module)
    cfg = _config(args)
    claims = select(args.only)
    out = make_report(claims, cfg, args.output, argv=["sbcheck", *sys.argv[1:]],
                      quiet=args.json, force_embedded=args.no_latex, jobs=cfg.jobs,
                      scheduler=cfg.scheduler, modules=tuple(args.module),
                      on_result=_progress_lines(len(claims), "report"))
    _emit(out, args.json, f"wrote {out['pdf']} ({out['engine']}); "
          f"{out['passed']}/{out['claims']} claims PASS, {out['controls_rejected']}/{out['controls']} controls rejected")
    return 0 if out["all_ok"] else 1


# ------------------------------------------------------------------------------- parser
def _nonneg_int(name: str):
    def conv(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{name}` must be an integer; got {s!r}") from None
        if v < 0:
            raise argparse.ArgumentTypeError(f"`{name}` must be >= 0; got {v}")
        return v
    return conv


def _float(name: str):
    def conv(s: str) -> float:
        try:
            return float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{name}` must be a number; got {s!r}") from None
    return conv


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sbcheck", description="Symbolic-numeric verifier of claims about how two-layer "
                "(convolutional) ReLU networks learn.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def common(sp, run_opts=False, seeds_opt=False):
        sp.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        sp.add_argument("--module", action="append", default=[], metavar="PY_MODULE",
                        help="import a module (or .py file) of user claims first; repeatable")
        if run_opts:
            sp.add_argument("--profile", choices=["quick", "full"], default="quick")
            sp.add_argument("--seed", type=_nonneg_int("--seed"), default=0)
            sp.add_argument("--jobs", type=_nonneg_int("--jobs"), default=None,
                            help="claims run in this many worker processes (default: the number of cores; "
                                 "1: one after another in this process)")
            sp.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                            help="send whole claims to this Dask scheduler (extra `dask`)")
            if seeds_opt:
                sp.add_argument("--seeds", default=None, metavar="A:B",
                                help="run every claim at seeds A..B-1; JSON gives per-seed verdicts and the spread")
            sp.add_argument("--no-cache", action="store_true", help="recompute cached sweep results")

    sp = sub.add_parser("list", help="list the registered claims")
    sp.add_argument("ids", nargs="*", metavar="ID_OR_PREFIX")
    common(sp)
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("check", help="run claims and their negative controls")
    sp.add_argument("ids", nargs="*", metavar="ID_OR_PREFIX")
    common(sp, run_opts=True, seeds_opt=True)
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("kernels", help="list the named kernels")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_kernels)

    sp = sub.add_parser("kernel", help="value of a named kernel (or of --activation's network) at t")
    sp.add_argument("name", nargs="?")
    network_args.add_arguments(sp)
    sp.add_argument("--t", required=True, help="inner product t in [-1, 1] (exact: '1/3' allowed)")
    sp.add_argument("--mode", choices=["exact", "mpmath", "float"], default="float")
    sp.add_argument("--dps", type=_nonneg_int("--dps"), default=30, help="mpmath decimal digits, 5..1000")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_kernel)

    sp = sub.add_parser("eigen", help="Funk-Hecke eigenvalues lambda_k (uniform probability measure)")
    sp.add_argument("name", nargs="?")
    network_args.add_arguments(sp, plot=True)
    sp.add_argument("--d", required=True, type=_nonneg_int("--d"), help="ambient dimension (data on S^(d-1))")
    sp.add_argument("--k", required=True, help="K or K0:K1 (inclusive)")
    sp.add_argument("--mode", choices=["exact", "mpmath", "float"], default="exact")
    sp.add_argument("--dps", type=_nonneg_int("--dps"), default=30, help="mpmath decimal digits")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_eigen)

    sp = sub.add_parser("report", help="write the LaTeX/PDF verification report")
    sp.add_argument("-o", "--output", default="report.pdf", help="PDF path (the .tex and figures go beside it)")
    sp.add_argument("--only", action="append", default=[], metavar="ID_PREFIX")
    sp.add_argument("--no-latex", action="store_true", help="use the embedded PDF path even if TeX is installed")
    common(sp, run_opts=True)
    sp.set_defaults(func=cmd_report)
    return p


_MAX_MESSAGE = 300


def _fail(msg: str, code: int, as_json: bool) -> int:
    """One short line on stderr (first line, at most 300 characters); with ``--json`` also one JSON
    document ``{"error", "exit_code"}`` on stdout, so stdout always holds exactly one document."""
    line = (msg.strip().splitlines() or [""])[0]
    if len(line) > _MAX_MESSAGE:
        line = line[:_MAX_MESSAGE - 40] + f"... ({len(line)} characters)"
    _log(line)
    if as_json:
        import json
        sys.stdout.write(json.dumps({"error": line, "exit_code": code}) + "\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)        # N(d, k) and exact values may have > 4300 digits (bounded in theory)
    import mpmath
    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in raw
    try:
        args = parser.parse_args(raw)
        if not getattr(args, "command", None):
            raise UsageError("sbcheck: give a command: list, check, kernels, kernel, eigen, report "
                             "(`sbcheck -h` for help)")
        return args.func(args)
    except UsageError as exc:
        return _fail(str(exc), 2, as_json)
    except (ValueError, TypeError) as exc:
        return _fail(f"sbcheck: error: {exc}", 2, as_json)
    except (ArithmeticError, mpmath.libmp.NoConvergence) as exc:   # a numerical failure, not bad usage
        return _fail(f"sbcheck: error: numerical evaluation failed ({type(exc).__name__}: {exc})", 1, as_json)
    except RuntimeError as exc:  # e.g. reports.latex.LatexBuildError; the log excerpt is already on stderr
        return _fail(f"sbcheck: error: {exc}", 1, as_json)
    except KeyboardInterrupt:
        _log("sbcheck: interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
