"""Request bodies for threads and posts."""

from pydantic import BaseModel, ConfigDict, field_validator


def _listed(value: object) -> object:
    # A form sends one value per checkbox; the page reads them all (see threads.routes).
    return [value] if isinstance(value, str) else value


class NewThread(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str
    body: str
    # Keys of moderation.content_warnings.WARNINGS, such as ["grief", "self-harm"].
    content_warnings: list[str] | None = None

    _warnings = field_validator("content_warnings", mode="before")(_listed)


class NewPost(BaseModel):
    """On an edit, content_warnings left out keeps the post's; a list replaces them."""

    model_config = ConfigDict(extra="ignore")
    body: str
    content_warnings: list[str] | None = None

    _warnings = field_validator("content_warnings", mode="before")(_listed)
