"""A slot that loads another app's fragment on page load names its own target: htmx inherits
hx-target from ancestors, so a slot inside the posts list's batch form once replaced the whole
list (#post-list) with the batch-publishing buttons."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOAD_SLOT = re.compile(r"<(?:div|section|span)\b[^>]*\bhx-trigger=\"load[^\"]*\"[^>]*>", re.DOTALL)


def test_every_fragment_loaded_on_page_load_names_its_target():
    missing = []
    for template in [*ROOT.glob("apps/*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")]:
        for tag in LOAD_SLOT.findall(template.read_text(encoding="utf-8")):
            if "hx-get" in tag and "hx-target" not in tag:
                missing.append(f"{template.relative_to(ROOT)}: {tag[:120]}")
    assert not missing, "\n".join(missing)
