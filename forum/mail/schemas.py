"""Request bodies for e-mail addresses and password resets."""

from pydantic import BaseModel, ConfigDict

from forum.fields import declared
from forum.mail.service import EMAIL_PATTERN, MAX_EMAIL

TOKEN = {"minLength": 1, "maxLength": 200, "pattern": r"\S"}


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = declared(minLength=3, maxLength=MAX_EMAIL, pattern=EMAIL_PATTERN)


class DigestIn(BaseModel):
    """Whether to get a daily mail of unread notifications (off unless asked for)."""

    model_config = ConfigDict(extra="forbid")
    digest: bool


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = declared(**TOKEN)


class ResetIn(BaseModel):
    """A username, or a verified e-mail address."""

    model_config = ConfigDict(extra="ignore")
    login: str = declared(minLength=1, maxLength=MAX_EMAIL, pattern=r"\S")


class ResetConfirm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = declared(**TOKEN)
    new_password: str = declared(minLength=10, maxLength=256)


class EmailForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = ""


class DigestForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    digest: bool = False


class TokenForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = ""


class ResetForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    login: str = ""


class ResetConfirmForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = ""
    new_password: str = ""
