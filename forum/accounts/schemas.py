"""Request bodies for accounts, validated at the boundary."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from forum.fields import declared, declared_default
from forum.i18n import LANGUAGES
from forum.names import STAFF_PATTERN, VISIBLE


class Register(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = declared(pattern=r"^[A-Za-z0-9_.-]{3,32}$")
    password: str = declared(minLength=10, maxLength=256)
    # A member's name can't pass for the team's (forum.names.imitates_staff), nor look like
    # another member's (409 name_looks_taken).
    display_name: str = declared(
        minLength=1, maxLength=48, pattern=VISIBLE, **{"not": {"pattern": STAFF_PATTERN}}
    )


class Credentials(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str
    password: str
    next: str = "/"


class TokenRequest(BaseModel):
    username: str
    password: str
    name: str = "API token"


class Profile(BaseModel):
    display_name: str


class NewToken(BaseModel):
    name: str = "API token"


class Empty(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Presence(BaseModel):
    """The account page's checkbox: present (checked) means hidden."""

    model_config = ConfigDict(extra="ignore")
    hide_presence: bool = False


class MeChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hide_presence: bool | None = None
    dm_policy: str | None = None
    # Personal boundaries (forum.accounts.boundaries); a list replaces the one kept.
    muted_words: list[str] | None = None
    availability: str | None = None
    taking_break: bool | None = None
    # {"grief": "show"|"blur"|"hide", ...}; warnings not named keep their choice.
    content_warning_prefs: dict[str, str] | None = None
    # Whether the moderators may check in privately (forum/checkins); on by default.
    check_ins: bool | None = None
    # The interface language; null (sent) follows the browser's, left out keeps the choice.
    locale: str | None = declared_default(None, enum=[*LANGUAGES, None])


class LanguageForm(BaseModel):
    """The account page's language select: empty follows the browser."""

    model_config = ConfigDict(extra="ignore")
    locale: str = ""


class ContentWarningForm(BaseModel):
    """The account page: one `cw_<warning>` radio group per content warning."""

    model_config = ConfigDict(extra="allow")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    current_password: str = declared(minLength=1, maxLength=256)
    new_password: str = declared(minLength=10, maxLength=256)


class PasswordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    current_password: str = ""
    new_password: str = ""


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["member", "moderator", "admin"]


class RoleForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = ""
    role: str = ""
