"""The product's shared words: platforms and their labels, post formats, which formats each
platform carries, and the reward's bounds. Plain data and pure functions; every app reads them here.

Trend categories and how well each format carries them (format fit) stay with trends, which owns
the categories.
"""

from __future__ import annotations

# --- Platforms ----------------------------------------------------------------------------------

X = "x"
LINKEDIN = "linkedin"
SANDBOX = "sandbox"

# The social networks a post is written for: each gets copy of its own. The sandbox is a simulated
# network that publishes the X copy, so it has none.
NETWORKS: tuple[str, ...] = (X, LINKEDIN)
# Everywhere a brand can connect an account and publish.
PLATFORMS: tuple[str, ...] = (*NETWORKS, SANDBOX)

PLATFORM_LABELS: dict[str, str] = {X: "X", LINKEDIN: "LinkedIn", SANDBOX: "Sandbox"}


def platform_label(platform: str) -> str:
    """The platform's name as people read it ("LinkedIn"); an unknown code as it is."""
    return PLATFORM_LABELS.get(platform, platform)


# --- Formats ------------------------------------------------------------------------------------

POST = "post"
THREAD = "thread"
CAROUSEL = "carousel"

FORMATS: tuple[str, ...] = (POST, THREAD, CAROUSEL)
FORMAT_LABELS: dict[str, str] = {POST: "Post", THREAD: "Thread", CAROUSEL: "Carousel"}

# The formats each network has. X carries a story as a post or a thread; LinkedIn as a post or a
# carousel (a document post: slides plus a caption).
PLATFORM_FORMATS: dict[str, tuple[str, ...]] = {
    X: (POST, THREAD),
    LINKEDIN: (POST, CAROUSEL),
}
# The same as (platform, format) pairs in a fixed order: the columns of trends' format fit and the
# actions of the learning policy.
PLATFORM_FORMAT_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (platform, post_format) for platform, formats in PLATFORM_FORMATS.items() for post_format in formats
)


def format_on(platform: str, post_format: str) -> str:
    """The format a network carries a post in: one it lacks becomes a post (a thread on LinkedIn,
    a carousel on X). A platform with no formats of its own here keeps the format asked for."""
    carried = PLATFORM_FORMATS.get(platform)
    return post_format if carried is None or post_format in carried else POST


# --- Rewards ------------------------------------------------------------------------------------

# A published post's reward, min(R·100, 5) (SPEC section 7), runs from 0 to 5.
REWARD_MIN = 0.0
REWARD_MAX = 5.0
