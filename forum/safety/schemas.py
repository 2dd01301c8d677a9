"""What a safety plan update may hold: each section a list of short lines."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PlanIn(BaseModel):
    """Every section is optional; one left out is saved empty (a PUT replaces the plan)."""

    model_config = ConfigDict(extra="forbid")

    warning_signs: list[str] = []
    coping: list[str] = []
    distractions: list[str] = []
    helpers: list[str] = []
    professionals: list[str] = []
    safe_surroundings: list[str] = []
    reasons_for_living: list[str] = []
