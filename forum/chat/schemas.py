"""Request bodies for chat rooms."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from forum.fields import NamesMember, Omittable, declared, declared_default
from forum.names import VISIBLE


class NewRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = declared(minLength=1, maxLength=80, pattern=VISIBLE)
    description: str = declared_default("", maxLength=500)
    slow_mode_seconds: int = declared_default(0, minimum=0, maximum=3600)
    # {"timezone": "Europe/London", "slots": [{"day": "tue", "start": "19:00", "end": "21:00"}]}
    schedule: dict[str, Any] | None = None


class RoomChanges(BaseModel):
    """Only the fields sent are changed; `"schedule": null` makes the room always open."""

    model_config = ConfigDict(extra="forbid")
    name: Omittable[str] = declared_default(None, minLength=1, maxLength=80, pattern=VISIBLE)
    description: Omittable[str] = declared_default(None, maxLength=500)
    slow_mode_seconds: Omittable[int] = declared_default(None, minimum=0, maximum=3600)
    schedule: dict[str, Any] | None = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class RoomForm(BaseModel):
    """The settings form: opening hours as "tue 19:00-21:00" lines."""

    model_config = ConfigDict(extra="ignore")
    name: str
    description: str = ""
    slow_mode_seconds: int = 0
    hours: str = ""
    timezone: str = "UTC"


class StartConversation(NamesMember):
    """Start (or reopen) a direct conversation with a member: the id the member picker
    chose (GET /api/v1/me/people), or a username."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StartConversationForm(NamesMember):
    pass


class DmPolicyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    dm_policy: str = ""
