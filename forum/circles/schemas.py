"""Request bodies for circles."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from forum.fields import DbInt, declared, declared_default
from forum.names import VISIBLE


class NewCircle(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: str = declared(
        pattern=r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$",
        **{"not": {"enum": ["new", "api", "admin", "static", "login", "register"]}},
    )
    name: str = declared(minLength=1, maxLength=80, pattern=VISIBLE)
    description: str = declared_default("", maxLength=2000)
    visibility: Literal["public", "private"] = "public"


class Join(BaseModel):
    model_config = ConfigDict(extra="ignore")
    accept_rules_version: DbInt


class Invite(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str
