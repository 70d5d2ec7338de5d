"""How publishing names platforms in the messages it writes (errors, history, notifications)."""

from __future__ import annotations

from apps.core.vocabulary import platform_label


def platforms_label(publications) -> str:
    """Each platform once, in order ("LinkedIn, Sandbox, X"). The sandbox's label says it is the
    sandbox, so nothing is added to it (a " (sandbox)" suffix made "Sandbox (sandbox)")."""
    return ", ".join(sorted({platform_label(p.platform) for p in publications}))
