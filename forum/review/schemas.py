"""Request bodies for moderation: decisions, reports, crisis resources."""

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from forum.fields import TEXT, DbId, DbInt, declared, declared_default, when

# Declared for the document; the service checks the same, in its own words.
_RULE: JsonDict = {"required": ["rule_id"], "properties": {"rule_id": {"type": "integer"}}}
_MUTE: JsonDict = {"required": ["mute_hours"], "properties": {"mute_hours": {"type": "number"}}}


class DecisionIn(BaseModel):
    # Rejecting or removing cites a ground rule; a mute says for how long.
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "allOf": [
                {"if": when("action", "reject", "remove"), "then": _RULE},
                {"if": when("action", "mute"), "then": _MUTE},
            ]
        },
    )
    action: Literal["approve", "reject", "remove", "escalate", "warn", "mute"]
    rule_id: DbId | None = None
    # The circle's rules version the moderator read; a newer one answers 409.
    rules_version: DbInt | None = None
    note: str = ""
    version: DbInt | None = None
    # Hours, more than none and at most 90 days (the service checks the same).
    mute_hours: float | None = declared_default(None, exclusiveMinimum=0, maximum=24 * 90)


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
    # A report says what is wrong, or cites a ground rule, or both.
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "anyOf": [
                {"required": ["reason"], "properties": {"reason": {"pattern": TEXT}}},
                {"required": ["rule_id"], "properties": {"rule_id": {"type": "integer"}}},
            ]
        },
    )
    content_type: str = declared(enum=["post", "thread", "chat_message"])
    content_id: DbId
    reason: str = declared_default("", maxLength=1000)
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
