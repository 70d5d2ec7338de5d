"""API of the learning loop: a brand's learned model (GET /api/v1/brands/{id}/learning) and a
training run now (POST …/learning/train)."""

from datetime import datetime

from ninja import Field, Router, Schema

from apps.accounts.access import api_require_role
from apps.accounts.models import Role
from apps.brands.selectors import brand_get_for_user

from .selectors import learning_page_get
from .training import policy_train

router = Router(tags=["learning"])


class ActionOut(Schema):
    tone: str
    platform: str
    post_format: str


class LessonOut(Schema):
    text: str
    action: ActionOut
    category: str = Field(description="The trend category; empty: over all trends.")
    average_reward: float
    posts: int


class TrainingRunOut(Schema):
    started_at: datetime
    status: str = Field(description="trained, skipped or failed")
    mode: str
    posts_used: int
    reason: str


class LearningOut(Schema):
    brand_id: int
    mode: str = Field(description="none, bandit (fewer than 10 rewarded posts) or q (Q-learning)")
    mode_reason: str
    exploration_rate: float
    trained_at: datetime | None
    next_training: datetime = Field(description="Sunday 00:00 in the brand's time zone.")
    posts_used: int
    lessons: list[LessonOut]
    runs: list[TrainingRunOut]


def _brand_for(request, brand_id: int):
    return brand_get_for_user(user=api_require_role(request, Role.BRAND), brand_id=brand_id)


def _learning(brand) -> dict:
    page = learning_page_get(brand=brand)
    return {
        "brand_id": brand.pk,
        "mode": page.mode,
        "mode_reason": page.mode_reason,
        "exploration_rate": page.exploration_rate,
        "trained_at": page.last_trained,
        "next_training": page.next_training,
        "posts_used": page.model.posts_used if page.model else 0,
        "lessons": [
            {
                "text": lesson.text,
                "action": lesson.action.as_dict(),
                "category": lesson.category,
                "average_reward": lesson.value,
                "posts": lesson.posts,
            }
            for lesson in page.lessons
        ],
        "runs": page.runs,
    }


@router.get("/brands/{brand_id}/learning", response=LearningOut)
def brand_learning_get(request, brand_id: int):
    """What the brand's model has learned, its mode and why, and its training runs."""
    return _learning(_brand_for(request, brand_id))


@router.post("/brands/{brand_id}/learning/train", response=LearningOut)
def brand_learning_train(request, brand_id: int):
    """Run the weekly training now (the same service as the Sunday job); the runs list says
    whether it trained or why it skipped."""
    brand = _brand_for(request, brand_id)
    policy_train(brand=brand)
    return _learning(brand)
