"""The labelled relevance evaluation set in bench/data/relevance/ (issue 18) is well formed: every
brand file follows the schema its README describes, the set is large and varied enough to tune on
one half and report on the other, and each grade appears in both halves of every brand."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "bench" / "data" / "relevance"
MIGRATION = (
    Path(__file__).resolve().parent.parent / "apps" / "brands" / "migrations" / "0006_industries_two_dozen.py"
)
SOURCES = {"newsapi", "reddit", "x", "mastodon", "rss"}
SPLITS = {"tune", "heldout"}
BRAND_KEYS = {
    "name",
    "industry",
    "description",
    "pillars",
    "audience",
    "voice_samples",
    "negative_topics",
    "kind",
}
REQUIRED_BRAND_KEYS = BRAND_KEYS - {"description"}
ITEM_KEYS = {"id", "source", "title", "summary", "grade", "split"}


def industry_slugs():
    text = MIGRATION.read_text()
    block = text[text.index("INDUSTRIES = [") : text.index("\nOLD = ")]
    return set(re.findall(r'^\s*\(\s*\n?\s*"([a-z-]+)",', block, flags=re.M))


def brand_files():
    return sorted(DATA.glob("*.json"))


def problems(data, slugs):
    """Everything wrong with one brand file, as readable lines (empty when it is valid)."""
    found = []
    if not isinstance(data, dict) or set(data) != {"brand", "items"}:
        return ["top level must be an object with exactly 'brand' and 'items'"]
    brand, items = data["brand"], data["items"]
    if not isinstance(brand, dict):
        return ["brand must be an object"]
    missing = REQUIRED_BRAND_KEYS - set(brand)
    extra = set(brand) - BRAND_KEYS
    if missing or extra:
        found.append(f"brand keys: missing {sorted(missing)}, unexpected {sorted(extra)}")
        return found
    if not (isinstance(brand["name"], str) and brand["name"].strip()):
        found.append("brand name is empty")
    if brand["industry"] not in slugs:
        found.append(f"industry {brand['industry']!r} is not a slug of the brands migration")
    if "description" in brand and not isinstance(brand["description"], str):
        found.append("description must be a string")
    pillars = brand["pillars"]
    if not (
        isinstance(pillars, list)
        and 3 <= len(pillars) <= 5
        and all(isinstance(p, str) and p for p in pillars)
    ):
        found.append("pillars must be 3-5 non-empty strings")
    audience = brand["audience"]
    if not (isinstance(audience, dict) and set(audience) == {"roles", "geographies", "company_sizes"}):
        found.append("audience must have exactly roles, geographies, company_sizes")
    elif not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in audience.values()):
        found.append("audience values must be lists of strings")
    elif not audience["roles"] or not audience["geographies"]:
        found.append("audience needs at least one role and one geography")
    voice = brand["voice_samples"]
    if not (isinstance(voice, list) and len(voice) == 3 and all(isinstance(v, str) and v for v in voice)):
        found.append("voice_samples must be 3 non-empty strings")
    negatives = brand["negative_topics"]
    if not (
        isinstance(negatives, list)
        and len(negatives) <= 3
        and all(isinstance(n, str) and n for n in negatives)
    ):
        found.append("negative_topics must be 0-3 non-empty strings")
    if brand["kind"] not in ("b2b", "consumer"):
        found.append(f"kind {brand['kind']!r} must be b2b or consumer")

    if not isinstance(items, list) or len(items) < 100:
        found.append(f"needs at least 100 items, has {len(items) if isinstance(items, list) else 'none'}")
        return found
    for item in items:
        if not isinstance(item, dict) or set(item) != ITEM_KEYS:
            found.append(f"item keys must be exactly {sorted(ITEM_KEYS)}: {item!r:.80}")
            continue
        where = item["id"]
        if not (isinstance(item["id"], str) and item["id"]):
            found.append(f"item id must be a non-empty string: {item!r:.80}")
        if item["source"] not in SOURCES:
            found.append(f"{where}: source {item['source']!r}")
        if not (isinstance(item["title"], str) and item["title"].strip()):
            found.append(f"{where}: empty title")
        if not isinstance(item["summary"], str):
            found.append(f"{where}: summary must be a string (empty for hashtags)")
        if type(item["grade"]) is not int or not 0 <= item["grade"] <= 3:
            found.append(f"{where}: grade {item['grade']!r} is not 0-3")
        if item["split"] not in SPLITS:
            found.append(f"{where}: split {item['split']!r}")
        if item["source"] in ("x", "mastodon") and item["title"].startswith("#") and item["summary"]:
            found.append(f"{where}: a hashtag trend has no summary")
    if found:
        return found
    ids = Counter(item["id"] for item in items)
    found += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    titles = Counter(item["title"] for item in items)
    found += [f"duplicate title {t!r}" for t, n in titles.items() if n > 1]
    for grade in range(4):
        halves = Counter(item["split"] for item in items if item["grade"] == grade)
        if halves["tune"] == 0 or halves["heldout"] == 0:
            found.append(f"grade {grade} must appear in both splits, has {dict(halves)}")
        elif abs(halves["tune"] - halves["heldout"]) > 1:
            found.append(f"grade {grade} is not split 50/50: {dict(halves)}")
    return found


def load_all():
    return {path.stem: json.loads(path.read_text()) for path in brand_files()}


def test_the_industry_list_is_read_from_the_migration():
    slugs = industry_slugs()
    assert {"fintech", "tech", "education", "hr", "energy", "other"} <= slugs
    assert len(slugs) == 26


@pytest.mark.parametrize("path", brand_files(), ids=lambda p: p.stem)
def test_every_brand_file_is_valid(path):
    data = json.loads(path.read_text())
    assert problems(data, industry_slugs()) == []


def test_the_set_has_ten_brands_of_both_kinds_in_different_industries():
    brands = load_all()
    assert len(brands) >= 10
    assert {data["brand"]["kind"] for data in brands.values()} == {"b2b", "consumer"}
    assert len({data["brand"]["industry"] for data in brands.values()}) >= 10
    assert len({data["brand"]["name"] for data in brands.values()}) == len(brands)


def test_ids_are_unique_across_the_whole_set():
    ids = Counter(item["id"] for data in load_all().values() for item in data["items"])
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_source_and_a_realistic_grade_mix_in_each_brand():
    for slug, data in load_all().items():
        items = data["items"]
        assert {item["source"] for item in items} == SOURCES, slug
        grades = Counter(item["grade"] for item in items)
        assert 15 <= grades[3] <= 25, (slug, grades)
        assert 15 <= grades[2] <= 25, (slug, grades)
        assert 15 <= grades[1] <= 25, (slug, grades)
        assert grades[0] >= len(items) * 0.35, (slug, grades)


def good_file():
    return {
        "brand": {
            "name": "Acme",
            "industry": "tech",
            "pillars": ["a", "b", "c"],
            "audience": {"roles": ["CTO"], "geographies": ["UK"], "company_sizes": []},
            "voice_samples": ["one", "two", "three"],
            "negative_topics": [],
            "kind": "b2b",
        },
        "items": [
            {
                "id": f"acme-{n}",
                "source": "newsapi",
                "title": f"Headline {n}",
                "summary": "",
                "grade": n % 4,
                "split": "tune" if (n // 4) % 2 == 0 else "heldout",
            }
            for n in range(100)
        ],
    }


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda d: d["items"].pop(), "at least 100 items"),
        (lambda d: d["items"][0].update(grade=4), "is not 0-3"),
        (lambda d: d["items"][0].update(grade="3"), "is not 0-3"),
        (lambda d: d["items"][1].update(id="acme-0"), "duplicate id"),
        (lambda d: d["items"][0].update(source="facebook"), "source"),
        (lambda d: d["brand"].update(industry="biotech"), "not a slug"),
        (lambda d: d["brand"].update(kind="b2c"), "kind"),
        (lambda d: d["brand"].update(pillars=["a", "b"]), "pillars"),
        (lambda d: d["brand"].pop("audience"), "brand keys"),
        (
            lambda d: [i.update(split="tune") for i in d["items"] if i["grade"] == 2],
            "grade 2 must appear in both",
        ),
        (lambda d: [i.update(grade=1) for i in d["items"] if i["grade"] == 3], "grade 3 must appear in both"),
    ],
)
def test_the_validator_catches_a_broken_file(spoil, message):
    data = good_file()
    assert problems(data, industry_slugs()) == []
    spoil(data)
    assert any(message in line for line in problems(data, industry_slugs())), problems(data, industry_slugs())
