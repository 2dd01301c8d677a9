"""Request bodies for ground rules: owners' edits, proposals, stances, decisions."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from forum.fields import DbId, DbInt


class RuleDraftIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: DbId | None = None
    title: str
    text: str


class RulesEdit(BaseModel):
    """The whole list in order: items with an id keep it, items without one are new."""

    model_config = ConfigDict(extra="ignore")
    items: list[RuleDraftIn]
    summary: str = ""


class ProposalIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: Literal["add", "change", "remove"]
    rule_id: DbId | None = None
    title: str | None = None
    text: str | None = None
    rationale: str = ""
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
    comment: str = ""


class RatifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: str = ""


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str = ""


class RulesEditForm(BaseModel):
    """The owner's edit page: fields named rule-<n>-id/-title/-text/-position/-remove."""

    model_config = ConfigDict(extra="allow")
    summary: str = ""
