"""Request bodies for the boundary settings forms, validated at the boundary."""

from pydantic import BaseModel, ConfigDict

from forum.fields import NamesMember


class MutedWordsForm(BaseModel):
    """The account page's box: one word or phrase per line."""

    model_config = ConfigDict(extra="ignore")
    muted_words: str = ""


class AvailabilityForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    availability: str = ""
    taking_break: bool = False  # a checkbox: present (checked) means on


class CheckInsForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    check_ins: bool = False  # a checkbox: present (checked) means on


class BlockForm(NamesMember):
    """Who to block: the id the member picker chose, or a username."""
