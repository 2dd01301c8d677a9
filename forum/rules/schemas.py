"""Request bodies for ground rules: owners' edits, proposals, stances, decisions."""

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from forum.fields import TEXT, DbId, DbInt, declared, declared_default, when
from forum.names import VISIBLE
from forum.rules.changes import (
    COMMENT_MAX,
    MAX_RULES,
    RATIONALE_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    TITLE_MAX,
)

# The limits are declared for the document; the service checks them (after trimming) in
# its own words. Two rules sharing a title are refused too, which no schema can say.
_TITLE: JsonDict = {"maxLength": TITLE_MAX, "pattern": VISIBLE}
_TEXT: JsonDict = {"maxLength": TEXT_MAX, "pattern": TEXT}


class RuleDraftIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: DbId | None = None
    title: str = declared(**_TITLE)
    text: str = declared(**_TEXT)


class RulesEdit(BaseModel):
    """The whole list in order: items with an id keep it, items without one are new."""

    model_config = ConfigDict(extra="ignore")
    items: list[RuleDraftIn] = declared(minItems=1, maxItems=MAX_RULES)
    summary: str = declared_default("", maxLength=SUMMARY_MAX)


class ProposalIn(BaseModel):
    # Every proposal gives its reasons; an added rule has a title and text, and a change
    # or removal names its rule (a change's title or text left out stays as it is).
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "allOf": [
                {"required": ["rationale"]},
                {
                    "if": when("kind", "add"),
                    "then": {
                        "required": ["title", "text"],
                        "properties": {
                            "title": {"type": "string", **_TITLE},
                            "text": {"type": "string", **_TEXT},
                        },
                    },
                },
                {
                    "if": when("kind", "change", "remove"),
                    "then": {
                        "required": ["rule_id"],
                        "properties": {"rule_id": {"type": "integer"}},
                    },
                },
            ]
        },
    )
    kind: Literal["add", "change", "remove"]
    rule_id: DbId | None = None
    title: str | None = declared_default(None, maxLength=TITLE_MAX)
    text: str | None = declared_default(None, maxLength=TEXT_MAX)
    rationale: str = declared_default("", maxLength=RATIONALE_MAX, pattern=TEXT)
    # The rules version the member read; if the rule changed since, the answer is 409.
    rules_version: DbInt | None = None


class ProposalForm(BaseModel):
    """The same from a page, where empty fields arrive as empty strings."""

    model_config = ConfigDict(extra="ignore")
    kind: Literal["add", "change", "remove"]
    rule_id: str = ""
    title: str = ""
    text: str = ""
    rationale: str = ""
    rules_version: str = ""


class StanceIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stance: Literal["endorse", "object"]
    comment: str = declared_default("", maxLength=COMMENT_MAX)


class RatifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: str = declared_default("", maxLength=SUMMARY_MAX)


class DeclineIn(BaseModel):
    # The proposer is owed a reason; the service says so in its own words when it's missing.
    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": ["reason"]})
    reason: str = declared_default("", maxLength=REASON_MAX, pattern=TEXT)


class RulesEditForm(BaseModel):
    """The owner's edit page: fields named rule-<n>-id/-title/-text/-position/-remove."""

    model_config = ConfigDict(extra="allow")
    summary: str = ""
