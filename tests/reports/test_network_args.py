"""--activation parsing (restricted namespace), the network flags of `kernel` / `eigen`, --plot."""
import pytest
import sympy

from reports.cli import main
from reports.network_args import parse_activation
from theory.dual.gaussian import x


@pytest.mark.parametrize("text, expr", [("relu", sympy.Max(x, 0)), ("x*tanh(x)", x * sympy.tanh(x)),
                                        ("log(1 + exp(x))", sympy.log(1 + sympy.exp(x))),
                                        ("max(x, 0)^2", sympy.Max(x, 0)**2)])
def test_parse(text, expr):
    assert sympy.simplify(parse_activation(text) - expr) == 0


@pytest.mark.parametrize("text", ["__import__('os').system('ls')", "x.__class__", "().__class__",
                                  "lambda: 1", "[x for x in ()]", "open('f')", "x if x else 1",
                                  "eval('1')", "y * x", "'abc'", "", "x" * 400, "exp(x, evaluate=False)"])
def test_injection_refused(text):
    with pytest.raises(ValueError):
        parse_activation(text)


def test_cli_exit_codes(capsys, tmp_path):
    assert main(["kernel", "--activation", "erf", "--depth", "2", "--b-std", "0.5", "--kind", "nngp",
                 "--t", "0.3"]) == 0
    assert "nngp[erf(x), L=2" in capsys.readouterr().out
    assert main(["kernel", "--activation", "__import__('os').system('true')", "--t", "0.3"]) == 2
    assert main(["kernel", "--activation", "x*y", "--t", "0.3"]) == 2
    assert main(["kernel", "--activation", "exp(x^2)", "--t", "0.3"]) == 2
    assert main(["kernel", "--activation", "relu", "--b-std", "-1", "--t", "0.3"]) == 2
    assert main(["kernel", "ntk", "--t", "0.5"]) == 0                      # named kernels keep working
    png = tmp_path / "spec.png"
    assert main(["eigen", "--activation", "tanh", "--d", "3", "--k", "0:12", "--mode", "float",
                 "--plot", str(png)]) == 0
    assert png.exists() and png.stat().st_size > 0
