"""Fixtures shared by the method and repository tests (the sandbox suite has its own, per backend)."""
import pytest

from sandbox import Sandbox


@pytest.fixture(scope="module")
def box():
    """The real bwrap sandbox, one per test module."""
    with Sandbox(backend="bwrap") as sandbox:
        yield sandbox
