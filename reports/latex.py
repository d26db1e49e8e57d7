"""LaTeX side of the report: escaping, math vetting, the jinja2 template and the TeX build.

Text from claims and users is escaped by default (every ``\\VAR{...}`` output goes through
:func:`escape` unless it is a :class:`Raw` string); math (statements, SymPy's LaTeX) is vetted by
:func:`math_problem` and set in math mode only if it cannot leave math mode or touch files.
The build runs ``latexmk`` (or ``pdflatex``) without shell escape in a directory the caller owns.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["Raw", "escape", "math_problem", "math", "render_tex", "find_engine", "compile_pdf",
           "LatexBuildError"]


class LatexBuildError(RuntimeError):
    """The LaTeX build failed.

    ``str(err)`` is one line naming the engine, the error and (if known) the claim;
    ``err.excerpt`` holds the relevant lines of the log.
    """

    def __init__(self, message: str, excerpt: str = ""):
        super().__init__(message)
        self.excerpt = excerpt


class Raw(str):
    """A string that is already LaTeX: the template prints it unescaped."""


# Characters printed from the typewriter font (OT1 CM has them at their ASCII positions, so
# pdftotext gives them back), the rest by their usual LaTeX commands.
_TT = {"\\": 92, "{": 123, "}": 125, "_": 95, "^": 94, "~": 126, "<": 60, ">": 62, "|": 124, '"': 34}
_SIMPLE = {"%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$"}
_UNICODE = {  # non-ASCII characters common in claim text -> LaTeX (math ones via \ensuremath)
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu",
    "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau",
    "φ": r"\varphi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "∼": r"\sim", "≍": r"\asymp",
    "∞": r"\infty", "×": r"\times", "·": r"\cdot", "±": r"\pm", "−": "-", "∈": r"\in",
    "→": r"\to", "⊗": r"\otimes", "⋆": r"\star", "∑": r"\sum", "∫": r"\int", "√": r"\surd",
    "∂": r"\partial", "∇": r"\nabla", "ℓ": r"\ell", "‖": r"\|", "⟨": r"\langle", "⟩": r"\rangle",
    "²": "^2", "³": "^3", "¹": "^1", "⁻": "^-", "∝": r"\propto", "≡": r"\equiv", "∀": r"\forall",
    "∃": r"\exists", "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap",
    "°": r"^\circ", "∘": r"\circ", "⇒": r"\Rightarrow", "⟹": r"\Longrightarrow", "↦": r"\mapsto",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "𝔼": r"\mathbb{E}", "∥": r"\|",
    "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil", "ϑ": r"\vartheta",
    "ϕ": r"\phi", "ϵ": r"\epsilon",
}
_TEXT_UNICODE = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\dots{}",
                 "\u00a0": "~", "é": r"\'e", "è": r"\`e", "ü": r"\"u", "ö": r"\"o", "ä": r"\"a",
                 "ç": r"\c{c}", "ñ": r"\~n", "É": r"\'E", "ß": r"\ss{}",
                 "§": r"\S{}", "¶": r"\P{}", "•": r"\textbullet{}", "†": r"\dag{}", "‡": r"\ddag{}",
                 "á": r"\'a", "à": r"\`a", "í": r"\'i", "ó": r"\'o", "ú": r"\'u"}


def escape(text: Any) -> str:
    """LaTeX-escape plain text so that every character comes through as typed.

    ``_ % & # $ { } \\ ^ ~ < > |`` are printed literally; a few non-ASCII letters and math
    symbols are mapped to LaTeX; any other non-ASCII character is shown as ``U+XXXX``.
    """
    out = []
    s = str(text)
    run = 0                                       # length of the current unbreakable run
    for i, ch in enumerate(s):
        run = 0 if ch.isspace() or ch in "-/" else run + 1
        if run > 24 and run % 12 == 1:
            out.append(r"\allowbreak{}")          # long numbers/tokens may break in tables
        if ch in _TT:
            out.append(r"\texttt{\char%d}" % _TT[ch] + (r"\allowbreak{}" if ch in "_\\" else ""))
        elif ch in _SIMPLE:
            out.append(_SIMPLE[ch])
        elif ch == "-" and i + 1 < len(s) and s[i + 1] == "-":
            out.append("-{}")                       # no en/em-dash ligature: "--" stays "--"
        elif ch in "`'" and i + 1 < len(s) and s[i + 1] == ch:
            out.append(ch + "{}")
        elif ch in "\n\r\t":
            out.append(" ")
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _TEXT_UNICODE:
            out.append(_TEXT_UNICODE[ch])
        elif ch in _UNICODE:
            out.append(r"\ensuremath{%s}" % _UNICODE[ch])
        else:
            out.append(r"\texttt{U+%04X}" % ord(ch))
    return "".join(out)


# Control sequences that could read or write files, redefine things, or leave math mode.
_FORBIDDEN = {
    "input", "include", "includeonly", "openin", "openout", "read", "readline", "write",
    "immediate", "special", "catcode", "def", "edef", "gdef", "xdef", "let", "futurelet",
    "csname", "endcsname", "expandafter", "newcommand", "renewcommand", "providecommand",
    "DeclareRobustCommand", "newenvironment", "renewenvironment", "makeatletter", "makeatother",
    "usepackage", "documentclass", "end", "begin", "input@path", "jobname", "pdfprimitive",
    "directlua", "ShellEscape", "write18", "loop", "repeat", "afterassignment", "aftergroup",
    "uppercase", "lowercase", "scantokens", "everypar", "everymath", "output", "shipout",
    "errmessage", "batchmode", "nonstopmode", "scrollmode", "errorstopmode", "dump", "endinput",
    "(", ")", "[", "]", "verb", "url", "href", "includegraphics", "pdfobj", "pdfliteral",
    "openany", "newpage", "clearpage", "section", "subsection", "chapter", "item",
}
_ALLOWED_ENVS = {"matrix", "pmatrix", "bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "cases",
                 "aligned", "gathered", "array", "split"}
_CS = re.compile(r"\\([A-Za-z@]+|.)", re.S)
MAX_MATH = 4000


def math_problem(tex: str) -> str | None:
    """Why ``tex`` cannot be set in math mode safely, or None if it can.

    Rejects unbalanced braces, ``$``, ``%``, ``#``, blank lines, math-mode switches, environments
    other than the matrix/cases family and control sequences that could touch files or
    redefine commands.  An undefined command is *not* caught here: the TeX build reports it.
    """
    if not isinstance(tex, str):
        return f"not a string ({type(tex).__name__})"
    if len(tex) > MAX_MATH:
        return f"too long to typeset ({len(tex)} characters of LaTeX)"
    lefts = [0]            # open \left per brace group: \left ... \right must close in its group
    envs: list[str] = []
    i = 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            m = _CS.match(tex, i)
            name = m.group(1) if m else ""
            if name in ("begin", "end"):
                env = re.match(r"\\(?:begin|end)\s*\{([A-Za-z*]+)\}", tex[i:])
                if not env or env.group(1).rstrip("*") not in _ALLOWED_ENVS:
                    return f"environment not allowed in a formula: {tex[i:i + 20]!r}"
                if name == "begin":
                    envs.append(env.group(1))
                elif not envs or envs.pop() != env.group(1):
                    return f"\\end{{{env.group(1)}}} does not match a \\begin"
            elif name in _FORBIDDEN:
                return f"control sequence \\{name} not allowed in a formula"
            elif name == "left":
                lefts[-1] += 1
            elif name == "right":
                lefts[-1] -= 1
                if lefts[-1] < 0:
                    return "\\right without \\left in the same brace group"
            i += 1 + len(name) if m else 1
            continue
        if ch in "$%#":
            return f"unescaped {ch!r} in a formula"
        if ch == "{":
            lefts.append(0)
        elif ch == "}":
            if len(lefts) == 1:
                return "unbalanced braces: '}' without '{'"
            if lefts.pop():
                return "\\left without \\right in the same brace group"
        i += 1
    if len(lefts) > 1:
        return f"unbalanced braces: {len(lefts) - 1} '{{' not closed"
    if lefts[0]:
        return "\\left without \\right"
    if envs:
        return f"\\begin{{{envs[-1]}}} not closed"
    if re.search(r"\n\s*\n", tex):
        return "blank line in a formula"
    return None


def _math_unicode(tex: str) -> str:
    """Newlines to spaces, non-ASCII symbols to commands (followed by a space: "λx" -> "\\lambda x")."""
    return "".join(_UNICODE[ch] + " " if ch in _UNICODE else ch for ch in tex.replace("\n", " "))


def math(tex: Any, display: bool = False) -> Raw:
    r"""A formula as LaTeX: in ``\( \)`` (or a width-fitted display box) if it passes
    :func:`math_problem`, otherwise its source shown verbatim with the reason."""
    if tex is None:
        return Raw("")
    problem = math_problem(tex)
    if problem:
        return Raw(r"{\small\texttt{%s}} \textcolor{fail}{[%s; shown as source]}"
                   % (escape(tex), escape(problem)))
    body = _math_unicode(tex)
    if display:
        return Raw("\\fitmath{%s}" % body)
    return Raw("\\(%s\\)" % body)


def mtext(s: Any) -> Raw:
    """Plain text with ``$...$`` formulas (as in matplotlib labels): text escaped, formulas vetted."""
    parts = re.split(r"(?<!\\)\$", "" if s is None else str(s))
    if len(parts) % 2 == 0:                       # unpaired $: all text
        return Raw(escape(s))
    return Raw("".join(math(p) if i % 2 else escape(p.replace("\\$", "$"))
                       for i, p in enumerate(parts)))


def named_math(tex: Any, name: str) -> Raw:
    r"""``name = formula`` as one display (the name as text), or the vetted fallback."""
    if tex is None or math_problem(tex):
        return Raw(r"\texttt{%s} = %s" % (escape(name), math(tex)))
    body = _math_unicode(tex)
    return Raw(r"\fitmath{\text{\texttt{%s}} = %s}" % (escape(name), body))


# ------------------------------------------------------------------------------ template
def _finalize(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, Raw) else escape(value)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        line_statement_prefix="%%", line_comment_prefix="%#",
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined, finalize=_finalize, keep_trailing_newline=True)
    env.filters["math"] = math
    env.filters["dmath"] = lambda t: math(t, display=True)
    env.filters["raw"] = Raw
    env.filters["mtext"] = mtext
    env.filters["named"] = named_math
    env.filters["tt"] = lambda t: Raw(r"\texttt{%s}" % escape(t))
    env.filters["verdict"] = lambda v: Raw(r"\textcolor{%s}{\textbf{%s}}" % (
        "pass" if v in ("PASS", "rejected", "yes") else "fail", escape(v)))
    env.filters["bookmark"] = lambda t: Raw(re.sub(r"[^A-Za-z0-9 .,:;()/+=-]", " ", str(t)))
    env.filters["label"] = lambda t: Raw(re.sub(r"[^a-z0-9.-]", "-", str(t).lower()))
    return env


def render_tex(doc: dict[str, Any], template: str = "report.tex.j2") -> str:
    """Render the report document model (see :mod:`reports.model`) to LaTeX source."""
    return _env().get_template(template).render(doc=doc)


# ------------------------------------------------------------------------------ build
def find_engine() -> str | None:
    """``"latexmk"`` if latexmk and pdflatex are on PATH, ``"pdflatex"`` if only pdflatex, else None."""
    if shutil.which("pdflatex") is None:
        return None
    return "latexmk" if shutil.which("latexmk") else "pdflatex"


_TEX_ENV = {"shell_escape": "f", "openout_any": "p"}   # kpathsea: no \write18, no writes outside


def compile_pdf(tex: Path, engine: str, timeout: float = 600.0) -> tuple[Path, int, list[str]]:
    """Compile ``tex`` (in its own directory) to PDF.

    Returns
    -------
    pdf : Path
    pages : int
        From the log's "Output written" line (0 if absent).
    overfull : list of str
        Overfull-box warnings from the log.

    Raises
    ------
    LatexBuildError
        With the log lines around the first error (also printed by the caller).
    """
    tex = Path(tex)
    env = {**os.environ, **_TEX_ENV}
    flags = ["-interaction=nonstopmode", "-halt-on-error", "-file-line-error", "-no-shell-escape"]
    if engine == "latexmk":
        cmds = [["latexmk", "-pdf", "-norc", "-silent", *flags, tex.name]]
    elif engine == "pdflatex":
        cmds = [["pdflatex", *flags, tex.name]] * 3
    else:
        raise ValueError(f"`engine` must be 'latexmk' or 'pdflatex'; got {engine!r}")
    log = tex.with_suffix(".log")
    for i, cmd in enumerate(cmds):
        try:
            proc = subprocess.run(cmd, cwd=tex.parent, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LatexBuildError(f"{engine} did not finish within {timeout:.0f} s") from None
        text = log.read_text(errors="replace") if log.exists() else proc.stdout
        if proc.returncode != 0 or not tex.with_suffix(".pdf").exists():
            raise LatexBuildError(*_error_message(engine, text, tex))
        if engine == "pdflatex" and not re.search(r"Rerun to get|Label\(s\) may have changed", text):
            break
    m = re.search(r"Output written on .*?\((\d+) pages?", text)
    overfull = [ln for ln in text.splitlines() if ln.startswith(("Overfull \\hbox", "Overfull \\vbox"))]
    return tex.with_suffix(".pdf"), int(m.group(1)) if m else 0, overfull


def _error_message(engine: str, log: str, tex: Path) -> tuple[str, str]:
    lines = log.splitlines()
    idx = next((i for i, ln in enumerate(lines) if re.match(r"^(\./)?[^:\s]+\.tex:\d+: ", ln)
                or ln.startswith("! ")), None)
    if idx is None:
        excerpt = lines[-15:]
        head = "no error line found in the log"
    else:
        excerpt = lines[idx:idx + 8]
        head = lines[idx]
    where = ""
    m = re.match(r"^(?:\./)?[^:\s]+\.tex:(\d+): ", head)
    if m and tex.exists():
        src = tex.read_text(errors="replace").splitlines()[:int(m.group(1))]
        owner = next((ln[len("% claim: "):] for ln in reversed(src) if ln.startswith("% claim: ")), None)
        if owner:
            where = f" (in the text of claim {owner})"
    detail = "\n".join("    " + ln for ln in excerpt)
    return f"LaTeX build with {engine} failed{where}: {head.strip()}", detail
