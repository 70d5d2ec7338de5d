from datetime import datetime

from ninja import Schema
from pydantic import Field


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    role: str
    is_staff: bool


class ApiTokenIn(Schema):
    name: str = Field(min_length=1, max_length=80)


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The token itself. It is shown this once and never again.")
