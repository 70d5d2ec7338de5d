"""Read queries of collaborations: influencer profiles (profiles) and the marketplace (marketplace)."""

from .marketplace import *  # noqa: F403
from .profiles import *  # noqa: F403
