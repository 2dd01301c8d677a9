"""Request bodies for threads and posts."""

from pydantic import BaseModel, ConfigDict, field_validator

from forum.fields import TEXT, declared
from forum.names import VISIBLE

# A title keeps at least three characters once cleaned (forum.names.clean).
TITLE = f"{VISIBLE}[\\s\\S]*{VISIBLE}[\\s\\S]*{VISIBLE}"


def _listed(value: object) -> object:
    # A form sends one value per checkbox; the page reads them all (see threads.routes).
    return [value] if isinstance(value, str) else value


class NewThread(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str = declared(minLength=3, maxLength=200, pattern=TITLE)
    body: str = declared(minLength=1, maxLength=20_000, pattern=TEXT)
    # Keys of moderation.content_warnings.WARNINGS, such as ["grief", "self-harm"].
    content_warnings: list[str] | None = None

    _warnings = field_validator("content_warnings", mode="before")(_listed)


class NewPost(BaseModel):
    """On an edit, content_warnings left out keeps the post's; a list replaces them."""

    model_config = ConfigDict(extra="ignore")
    body: str = declared(minLength=1, maxLength=20_000, pattern=TEXT)
    content_warnings: list[str] | None = None

    _warnings = field_validator("content_warnings", mode="before")(_listed)
