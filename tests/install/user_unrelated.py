"""A user's test file that has nothing to do with alliance-pay."""

import warnings


def test_arithmetic() -> None:
    assert sum([0.1] * 10) == pytest_approx(1.0)


def test_the_projects_own_warnings_are_its_own() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("mine", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["mine"]


def pytest_approx(value: float) -> object:
    import pytest

    return pytest.approx(value)
