"""Every way GraphStudio writes a number, from its one home (graphstudio.core.numbers)."""

import math

import numpy as np
import pytest

from graphstudio.core.numbers import (format_array_in_full, format_editable, format_literal,
                                      format_value, format_worked)
from graphstudio.io.gs import parse_text


@pytest.mark.parametrize("value, text", [
    (60.0, "60"), (-0.25, "-0.25"), (16384.0, "1.638e+04"), (1 / 3, "0.3333"), (0.0, "0"),
    (-0.0, "0"), (math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf"), (None, "—"),
    (np.float64(2.5), "2.5"), (7, "7"),
])
def test_short_style_has_four_significant_digits(value, text):
    assert format_value(value) == text


def test_short_style_takes_more_digits_and_arrays():
    assert format_value(1 / 3, 6) == "0.333333"
    assert format_value(np.array([1.0, -2.5])) == "[1 -2.5]"
    assert format_value(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[[1 2]\n [3 4]]"
    # more than 12 elements are elided, two at each end
    assert format_value(np.arange(20.0)) == "[0 1 ... 18 19]"


def test_worked_style_writes_whole_numbers_in_full_and_the_rest_short():
    assert format_worked(16384.0) == "16384"
    assert format_worked(-3.0) == "-3"
    assert format_worked(0.125) == "0.125"
    assert format_worked(1 / 3) == "0.3333"
    assert format_worked(2e12) == "2e+12"  # too large to be worth every digit
    assert format_worked(math.nan) == "nan"
    assert format_worked(None) == "—"
    # arrays keep the short style element by element
    assert format_worked(np.array([16384.0, 1.0])) == "[1.638e+04 1]"


def test_array_in_full_shows_every_element_in_the_worked_style():
    text = format_array_in_full(np.arange(20.0) * 1000)
    assert "..." not in text
    assert "19000" in text and text.startswith("[0 1000 2000")
    assert format_array_in_full([[1.0, 2.5]]) == "[[1 2.5]]"


@pytest.mark.parametrize("value, text", [
    (3.0, "3"), (-1.5, "-1.5"), (0.1, "0.1"), (1e20, "1e+20"), (0.30000000000000004, "0.30000000000000004"),
    (np.array([[1.0, 2.5], [-3.0, 4.0]]), "[[1, 2.5], [-3, 4]]"),
])
def test_literal_style_reads_back_to_the_same_floats(value, text):
    assert format_literal(value) == text
    read = parse_text(f"x = {text}").value(0)
    np.testing.assert_array_equal(read, value)


def test_editable_style_is_short_enough_to_type_and_json_for_arrays():
    assert format_editable(0.1 + 0.2) == "0.3"
    assert format_editable(2.5) == "2.5"
    assert format_editable(np.array([[1.0, 2.5], [3.0, 4.0]])) == "[[1, 2.5], [3, 4]]"
    assert format_editable(None) == ""
