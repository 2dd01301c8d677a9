"""Request bodies for circle moderation settings."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from forum.fields import TEXT, declared, when
from moderation.content_warnings import WARNINGS
from moderation.watched import BLOCK, MAX_EXPLANATION, MAX_REPLACEMENT, REPLACE, WARN


class ThresholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hold: float | None = None
    flag: float | None = None


class ModerationChanges(BaseModel):
    """Only what is sent changes: `{"thresholds": {"threat": {"hold": 0.5}}}`."""

    model_config = ConfigDict(extra="forbid")
    thresholds: dict[str, ThresholdIn] | None = None
    crisis_concern: str | None = None  # "publish_and_review" or "hold"


def _needs(field: str, **schema: Any) -> dict[str, Any]:
    return {"required": [field], "properties": {field: {"type": "string", **schema}}}


class NewWatchedWord(BaseModel):
    """`warning` goes with "warn", `explanation` with "block", `replacement` with "replace"."""

    # Declared for the document; moderation.watched.check_word says the same in its words.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                {"if": when("action", WARN), "then": _needs("warning", enum=list(WARNINGS))},
                {
                    "if": when("action", BLOCK),
                    "then": _needs("explanation", pattern=TEXT, maxLength=MAX_EXPLANATION),
                },
                {
                    "if": when("action", REPLACE),
                    "then": _needs("replacement", pattern=TEXT, maxLength=MAX_REPLACEMENT),
                },
            ]
        },
    )
    phrase: str = declared(minLength=1, maxLength=60, pattern=TEXT)
    action: str = declared(enum=["hold", "warn", "block", "replace"])
    warning: str | None = None
    explanation: str | None = None
    replacement: str | None = None


class WatchedWordChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str | None = None
    action: str | None = None
    warning: str | None = None
    explanation: str | None = None
    replacement: str | None = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class SettingsForm(BaseModel):
    """The settings page: `hold_<label>` and `flag_<label>` fields, and the crisis choice."""

    model_config = ConfigDict(extra="allow")
    crisis_concern: str = ""


class WordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    phrase: str = ""
    action: str = ""
    warning: str = ""
    explanation: str = ""
    replacement: str = ""
