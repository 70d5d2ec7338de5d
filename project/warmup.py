"""Paths resolved in the gunicorn master before forking (project/gunicorn.py, ``when_ready``):
one per URL module, so every module's patterns are compiled once and shared by the workers."""

WARM_PATHS = (
    "/healthz",
    "/api/v1/memes/trending",
    "/api/v1/memes/1",
    "/api/v1/posts/1",
    "/memes/",
    "/memes/1/",
    "/memes/render/x.jpg",
    "/memes/r/" + "a" * 64 + "-full.jpg",
    "/memes/t/x.jpg",
    "/posts/",
    "/brand/1/analytics/",
    "/accounts/login/",
)
