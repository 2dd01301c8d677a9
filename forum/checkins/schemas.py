"""Request bodies for check-ins."""

from pydantic import BaseModel, ConfigDict


class CheckInIn(BaseModel):
    # Like a decision's: who may check in is settled before what else was sent matters.
    model_config = ConfigDict(extra="ignore")
    body: str


class CheckInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: str = ""
