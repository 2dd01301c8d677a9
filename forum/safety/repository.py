"""SQL for safety plans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forum.safety.models import SafetyPlan


async def get_plan(db: AsyncSession, user_id: int) -> SafetyPlan | None:
    plan: SafetyPlan | None = await db.scalar(
        select(SafetyPlan).where(SafetyPlan.user_id == user_id)
    )
    return plan
