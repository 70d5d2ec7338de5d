"""Everything that changes collaborations' rows: influencer profiles (profiles)."""

from .profiles import *  # noqa: F403
