"""Read queries of collaborations: influencer profiles (profiles)."""

from .profiles import *  # noqa: F403
