"""The prompts for the copy model (SPEC section 5): a system prompt from the brand and a user
prompt from the platform, format, trend and the platform's limits. The model answers in JSON so
threads and carousels come back as parts."""

from __future__ import annotations

import json
import re

from apps.brands.models import Industry
from apps.brands.voice import voice_profile_summary

FORMAT_INSTRUCTIONS = {
    ("x", "post"): "one X post of at most 280 characters (a URL counts 23)",
    ("x", "thread"): "an X thread of 3 to 6 tweets, each at most 270 characters, numbered “1/”, “2/” …",
    (
        "linkedin",
        "post",
    ): "one LinkedIn post of 600 to 1,500 characters (the limit is 3,000), with short paragraphs",
    ("linkedin", "carousel"): (
        "a LinkedIn carousel of 4 to 7 slides, each with a headline of at most 60 characters and a body of at "
        "most 200 characters, plus a caption of at most 600 characters"
    ),
    ("x", "carousel"): "an X post of at most 280 characters that introduces a set of 4 to 7 images",
    ("linkedin", "thread"): "one LinkedIn post of 600 to 1,500 characters, structured as numbered points",
}


def system_prompt(*, brand) -> str:
    lines = [
        f"You write social media posts for {brand.name}"
        # "Other" is a choice in a list, not an industry: never "an other brand".
        + (
            f", a {brand.industry.name.lower()} brand."
            if brand.industry_id and brand.industry.slug != Industry.OTHER
            else "."
        ),
        f"Tone: {brand.default_tone}.",
    ]
    if getattr(brand, "industry_description", ""):
        lines.append(f"Industry, in the brand's words: {brand.industry_description}.")
    if brand.pillars:
        lines.append("Messaging pillars (every post supports one): " + "; ".join(brand.pillars) + ".")
    audience = ", ".join([*brand.audience_roles, *brand.audience_geographies, *brand.audience_company_sizes])
    if audience:
        lines.append(f"Audience: {audience}.")
    voice = voice_profile_summary(brand.voice_profile or {})
    if voice:
        lines.append("Voice: " + " ".join(voice))
    if brand.voice_samples:
        samples = "\n".join(f"- {s[:400]}" for s in brand.voice_samples[:5])
        lines.append(f"Past posts in the brand's voice:\n{samples}")
    banned = getattr(brand, "banned_topics", None) or []
    if banned:
        lines.append("Never mention: " + ", ".join(banned) + ".")
    lines.append(
        "Never use offensive language, never take sides on politics, religion or other divisive topics, "
        "never invent facts or numbers that are not in the trend, and never use placeholders."
    )
    return "\n".join(lines)


def user_prompt(*, platform: str, post_format: str, tone: str, trend) -> str:
    shape = FORMAT_INSTRUCTIONS.get((platform, post_format), FORMAT_INSTRUCTIONS[(platform, "post")])
    about = trend.title + (f"\n{trend.summary}" if trend.summary else "")
    answer = (
        '{"parts": ["slide 1 headline\\n\\nslide 1 body", …], "caption": "…"}'
        if post_format == "carousel" and platform == "linkedin"
        else '{"parts": ["…"]}' + (" with one string per tweet" if post_format == "thread" else "")
    )
    return (
        f"Write {shape}, in a {tone} tone, about this trend:\n{about}\n\n"
        "Connect it to one of the brand's pillars, speak to the audience, end with something that invites "
        f"a reply. Answer with JSON only, exactly in this shape: {answer}"
    )


class UnreadableAnswer(ValueError):
    pass


def parse_answer(text: str) -> tuple[list[str], str]:
    """The parts and caption from the model's JSON answer (code fences and prose around it allowed)."""
    match = re.search(r"\{.*\}", text or "", re.S)
    if not match:
        raise UnreadableAnswer("the answer holds no JSON object")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise UnreadableAnswer(f"the answer is not valid JSON ({exc.msg})") from None
    parts = data.get("parts") if isinstance(data, dict) else None
    if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
        raise UnreadableAnswer("the answer has no list of text parts")
    parts = [p.strip() for p in parts if p.strip()]
    if not parts:
        raise UnreadableAnswer("the answer's parts are empty")
    caption = data.get("caption") if isinstance(data.get("caption"), str) else ""
    return parts, caption.strip()
