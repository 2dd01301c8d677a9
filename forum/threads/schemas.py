"""Request bodies for threads and posts."""

from pydantic import BaseModel, ConfigDict


class NewThread(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str
    body: str


class NewPost(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: str
