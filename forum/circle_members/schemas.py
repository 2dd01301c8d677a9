"""Request bodies for removing and banning members of a circle."""

from pydantic import BaseModel, ConfigDict

from forum.fields import declared, declared_default


class BanIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = declared(minLength=1, maxLength=32)
    # Shown to the circle's moderators in the ban list and the moderation log.
    reason: str = declared_default("", maxLength=500)


class BanForm(BaseModel):
    """The members page's ban forms: the username is in the address, or typed in."""

    model_config = ConfigDict(extra="ignore")
    username: str = ""
    reason: str = ""
