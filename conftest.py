"""Shared by every pytest run of the repository (unit tests, doctests, nbval): figures a test or a docstring
example draws are closed after it, so that hundreds of examples never hold hundreds of open figures."""
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys
    if "matplotlib.pyplot" in sys.modules:           # never import pyplot just to close nothing
        sys.modules["matplotlib.pyplot"].close("all")
