"""Tests of theory.validate: the one copy of the argument validators."""
import numpy as np
import pytest
import sympy

from theory.validate import check_choice, check_int, check_real, shown


@pytest.mark.parametrize("v", [3, np.int64(3), sympy.Integer(3)])
def test_check_int_accepts_integers_of_every_library(v):
    assert check_int("d", v, 2) == 3 and type(check_int("d", v, 2)) is int


@pytest.mark.parametrize("v", [True, 3.0, "3", None, [3], 3 + 0j])
def test_check_int_rejects_non_integers_with_type_error(v):
    with pytest.raises(TypeError, match=r"`d` \(dimension\) must be an int in \[2, 9\]"):
        check_int("d", v, 2, 9, what="dimension")


def test_check_int_range_names_bounds_and_value():
    with pytest.raises(ValueError, match=r"`k` must be an int >= 0; got -1"):
        check_int("k", -1, 0)
    with pytest.raises(ValueError, match=r"<= 5; got 6"):
        check_int("k", 6, None, 5)


def test_check_real_and_choice():
    assert check_real("eta", "0.5" if False else 0.5, 0, lo_open=True) == 0.5
    for bad in (0.0, float("nan"), float("inf"), -1):
        with pytest.raises(ValueError, match="`eta`"):
            check_real("eta", bad, 0, lo_open=True)
    with pytest.raises(TypeError, match="`eta`"):
        check_real("eta", "x")
    assert check_choice("mode", "exact", ("exact", "float")) == "exact"
    with pytest.raises(ValueError, match="one of 'exact', 'float'"):
        check_choice("mode", [], ("exact", "float"))


def test_long_values_are_not_echoed_whole():
    msg = shown("x" * 5000)
    assert len(msg) < 100 and "5002 characters" in msg
    with pytest.raises(TypeError) as err:
        check_int("k", "9" * 5000, 0)
    assert len(str(err.value)) < 200
