"""Request bodies for circles."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from forum.fields import DbInt, NamesMember, declared, declared_default
from forum.names import VISIBLE


class NewCircle(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: str = declared(
        # Letters and numbers in runs joined by single dashes (as check_slug), 3 to 40.
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        minLength=3,
        maxLength=40,
        **{"not": {"enum": ["new", "api", "admin", "static", "login", "register"]}},
    )
    name: str = declared(minLength=1, maxLength=80, pattern=VISIBLE)
    description: str = declared_default("", maxLength=2000)
    visibility: Literal["public", "private"] = "public"


class Join(BaseModel):
    model_config = ConfigDict(extra="ignore")
    accept_rules_version: DbInt


class Invite(NamesMember):
    """Who to add: the id the member picker chose, or a username."""
