"""Request bodies for check-ins."""

from pydantic import BaseModel, ConfigDict


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str


class CheckInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: str = ""
