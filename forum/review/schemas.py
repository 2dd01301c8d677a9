"""Request bodies for moderation: decisions, reports, crisis resources."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from forum.fields import DbId, DbInt, declared


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    action: Literal["approve", "reject", "remove", "escalate", "warn", "mute"]
    rule_id: DbId | None = None
    # The circle's rules version the moderator read; a newer one answers 409.
    rules_version: DbInt | None = None
    note: str = ""
    version: DbInt | None = None
    mute_hours: float | None = None


class DecisionForm(BaseModel):
    """The same decision from an HTML form, where empty fields arrive as empty strings."""

    model_config = ConfigDict(extra="ignore")
    action: Literal["approve", "reject", "remove", "escalate", "warn", "mute"]
    rule_id: str = ""
    rules_version: str = ""
    note: str = ""
    version: str = ""
    mute_hours: str = ""


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    content_type: str = declared(enum=["post", "thread", "chat_message"])
    content_id: DbId
    reason: str = ""
    rule_id: DbId | None = None


class ReportForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str = ""
    rule_id: str = ""


class RegionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    region: str = ""


class ResourceIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    region: str
    name: str
    phone: str = ""
    sms: str = ""
    url: str = ""
    description: str = ""
    position: str = "0"


class EscalationIn(BaseModel):
    """How many minutes an urgent item may wait unclaimed before it is escalated."""

    model_config = ConfigDict(extra="forbid")
    escalate_after_minutes: int = declared(minimum=1, maximum=240)


class EscalationForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    escalate_after_minutes: str
