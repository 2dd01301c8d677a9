"""Request bodies for check-ins."""

from pydantic import BaseModel, ConfigDict

from forum.fields import TEXT, declared


class CheckInIn(BaseModel):
    # Like a decision's: who may check in is settled before what else was sent matters.
    model_config = ConfigDict(extra="ignore")
    body: str = declared(minLength=1, maxLength=2000, pattern=TEXT)


class CheckInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: str = ""
