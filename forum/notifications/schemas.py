"""Request bodies for notifications."""

from pydantic import BaseModel, ConfigDict, Field


class MarkRead(BaseModel):
    """Which notifications to mark read; all of them when `ids` is left out."""

    model_config = ConfigDict(extra="forbid")
    ids: list[int] | None = Field(default=None, max_length=200)
