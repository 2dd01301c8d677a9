"""Ground rules fixtures: a circle owned by `user` with `other_user` as a member."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Persona, join


@pytest.fixture
async def member(other_user: Persona, circle: dict[str, Any]) -> Persona:
    """`other_user`, joined to `circle` (owned by `user`) at its first rules version."""
    await join(other_user, circle)
    return other_user
