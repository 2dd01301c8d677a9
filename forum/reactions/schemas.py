"""Request bodies for reactions."""

from pydantic import BaseModel, ConfigDict

from forum.fields import declared


class ReactionSwitch(BaseModel):
    """An author turning reactions on or off on their own post."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool


class ReactionForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: str = declared(minLength=1, maxLength=16)


class ReactionSwitchForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # "on" or "off", from the button pressed.
    enabled: str = declared(pattern="^(on|off)$")
