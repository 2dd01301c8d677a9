"""Request bodies for notifications."""

from pydantic import BaseModel, ConfigDict, Field


class MarkRead(BaseModel):
    """Which notifications to mark read; all of them when `ids` is left out."""

    model_config = ConfigDict(extra="forbid")
    ids: list[int] | None = Field(default=None, max_length=200)


class QuietHoursIn(BaseModel):
    """Hours, on the member's own clock, when notifications wait without lighting up."""

    model_config = ConfigDict(extra="forbid")
    start: str = Field(max_length=5, json_schema_extra={"pattern": r"^\d{1,2}:\d{2}$"})
    end: str = Field(max_length=5, json_schema_extra={"pattern": r"^\d{1,2}:\d{2}$"})
    time_zone: str = Field(max_length=64)


class SettingsChanges(BaseModel):
    """Kinds to turn on (true) or off (false); quiet hours to set, or null to clear.
    What is left out stays as it was."""

    model_config = ConfigDict(extra="forbid")
    kinds: dict[str, bool] | None = Field(default=None, max_length=20)
    quiet_hours: QuietHoursIn | None = None


class SettingsForm(BaseModel):
    """The notifications page: a `kind_<kind>` checkbox for each kind, quiet hours."""

    model_config = ConfigDict(extra="allow")
    quiet: str = ""
    quiet_start: str = ""
    quiet_end: str = ""
    time_zone: str = ""
