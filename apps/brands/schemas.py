from datetime import datetime

from ninja import Schema
from pydantic import Field


class BrandIn(Schema):
    name: str = Field(min_length=1, max_length=120)


class BrandOut(Schema):
    id: int
    name: str
    slug: str
    created_at: datetime
    posts_need_approval: bool = False


class ApprovalsIn(Schema):
    posts_need_approval: bool
