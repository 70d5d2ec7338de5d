"""Celery tasks for posts: generating a draft's copy and graphics. They take ids, call services."""

from celery import shared_task

from . import services
from .models import GenerationState, Post


@shared_task(
    name="posts.generate", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540
)
def post_generate(post_id: int, platforms: list[str], regenerate: bool = False) -> str:
    post = Post.objects.select_related("brand", "brand__industry", "trend").filter(pk=post_id).first()
    if post is None:
        return "gone"
    if post.generation_state == GenerationState.READY and not regenerate:
        return "already done"  # a redelivery after the work finished
    services.post_generate_execute(post=post, platforms=platforms, regenerate=regenerate)
    return post.generation_state


@shared_task(name="posts.graphics_regenerate", acks_late=True, reject_on_worker_lost=True, time_limit=300)
def post_graphics_regenerate(post_id: int, layout: str = "") -> str:
    post = Post.objects.select_related("brand", "trend").filter(pk=post_id).first()
    if post is None:
        return "gone"
    services.post_graphics_regenerate_execute(post=post, layout=layout)
    return post.generation_state
