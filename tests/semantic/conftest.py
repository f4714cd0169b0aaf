from __future__ import annotations

from collections.abc import Iterator

import pytest

from atiende.semantic import encoder, matrix


@pytest.fixture(autouse=True)
def _fresh_matrices() -> Iterator[None]:
    """No test sees another's in-memory vectors (the model itself stays loaded: one per
    session)."""
    matrix.forget()
    yield
    matrix.forget()


@pytest.fixture
def encoder_unavailable() -> Iterator[None]:
    """The model cannot be loaded in this process (e.g. a broken install)."""
    previous = encoder.reset_for_tests(None, failed=True)
    yield
    encoder.reset_for_tests(previous[0], failed=previous[1])
