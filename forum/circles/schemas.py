"""Request bodies for circles."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from forum.fields import DbInt


class NewCircle(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: str
    name: str
    description: str = ""
    visibility: Literal["public", "private"] = "public"


class Join(BaseModel):
    model_config = ConfigDict(extra="ignore")
    accept_rules_version: DbInt


class Invite(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str
