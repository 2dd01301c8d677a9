"""Request bodies for deleting an account."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class DeleteAccount(BaseModel):
    """Both are required: deleting is never a default."""

    model_config = ConfigDict(extra="forbid")
    password: str
    keep_posts: bool


class DeleteAccountForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = ""
    posts: Literal["keep", "remove", ""] = ""
