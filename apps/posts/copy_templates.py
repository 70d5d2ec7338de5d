"""Template copy: the posts written without the LLM (none configured, or it failed), per tone and
format, filled with the trend and the brand's pillars, audience and industry, in its voice.

Templates are data. Per tone there are variants of four shapes: ``x_post`` and ``linkedin_post``
(paragraphs separated by a blank line), ``thread`` (a list of tweets) and ``carousel`` (slides as
(headline, body) pairs plus a caption). A template names its values as ``{placeholders}``:

- ``{trend}`` the trend's title (without an outlet's " - Reuters"); ``{summary}`` the first
  sentence of its summary, ``{detail}`` the second; ``{brand}``; ``{industry}`` the industry's
  name, never a placeholder such as "Other";
- ``{pillar}`` / ``{Pillar}`` the pillar nearest the trend (lower- or upper-case first letter),
  ``{pillar2}`` / ``{Pillar2}`` another one; pillars always follow a colon, since brands write
  them as noun phrases ("Finance automation that auditors trust") as often as claims;
- ``{audience}`` / ``{Audience}`` the audience roles in the plural ("CFOs and finance directors");
- ``{ask}`` a question to the audience and ``{cta}`` a closing call to action, drawn per tone.

Two rules keep the data free of code: a paragraph, tweet or slide that uses ``{summary}``,
``{detail}``, ``{pillar2}`` or ``{industry}`` is left out when the trend or brand has nothing for it, and a
paragraph starting with ``~`` is an extra: the first thing to go when a post would not fit, and
left out of LinkedIn posts for brands whose voice profile says they write short ones.

The brand's voice profile (apps.brands.voice) is followed where it is concrete: no emoji when its
posts have none (at most its usual count otherwise, and one added when it always uses some), its
usual number of hashtags (none when it uses none; its favourite tags come first), no
exclamation marks when it never uses them, and the extras left out when its posts are short.
Without a profile the tone decides. Carousel slides never carry emoji: they are drawn into
graphics with fonts that may have no emoji glyphs.

Everything fits the limits of apps.posts.limits (text is trimmed at a sentence end when a long
trend title or summary would not fit). The same inputs, variant and seed give the same copy.
"""

from __future__ import annotations

import random
import re
import string
import zlib
from collections import Counter
from dataclasses import dataclass, field

from apps.integrations.sources.base import title_without_publisher

from . import limits
from .limits import EMOJI_SEQUENCE, trim_to_limit, x_weighted_length

_ENDS_WITH_EMOJI = re.compile(rf"(?:{EMOJI_SEQUENCE.pattern})\s*$")

TONES = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
DEFAULT_TONE = "professional"
OPTIONAL_PLACEHOLDERS = frozenset({"summary", "detail", "pillar2", "Pillar2", "industry"})
EXTRA_MARK = "~"

# Shown when the brand has not said who its audience or pillars are.
AUDIENCE_FALLBACK = "teams like yours"
# Industries that are a choice in a list, not a field anyone works in: never a word in copy.
PLACEHOLDER_INDUSTRIES = frozenset(
    {"other", "others", "general", "none", "n/a", "not sure", "something else"}
)
PILLAR_FALLBACK = "practical help for {audience}, without the hype"

# Hashtags when the voice profile does not say how many the brand uses.
DEFAULT_HASHTAGS = {"x_post": 2, "thread": 2, "linkedin_post": 3, "carousel": 3}
MAX_HASHTAGS = {"x_post": 3, "thread": 3, "linkedin_post": 5, "carousel": 5}
# A LinkedIn post leaves out its extras when the brand's posts are usually shorter than this.
SHORT_VOICE_MEDIAN_CHARS = 600

# How long the trend title and summary may be inside each shape, so the copy around them fits.
VALUE_CAPS = {
    "x_post": {"trend": 110, "summary": 0, "detail": 0},
    "thread": {"trend": 140, "summary": 220, "detail": 220},
    "linkedin_post": {"trend": 250, "summary": 400, "detail": 300},
    "carousel": {"trend": 190, "summary": 190, "detail": 190},
}

QUESTIONS: dict[str, list[str]] = {
    "professional": [
        "How is your team approaching this?",
        "What's the first thing you'd review because of it?",
        "Is this on your agenda for the next quarter?",
        "What are you watching most closely?",
        "Where do you expect the biggest impact?",
    ],
    "friendly": [
        "What do you make of it?",
        "How's your team feeling about this one?",
        "Is this on your radar yet?",
        "What would you add? We'd love to hear.",
        "How are you handling it so far?",
    ],
    "witty": [
        "Be honest: did you see this coming?",
        "Hot takes welcome below. Lukewarm ones too.",
        "On a scale from 'meh' to 'clear my calendar', where are you?",
        "Who's already drafting the memo?",
        "Tell us we're wrong. Politely.",
    ],
    "bold": [
        "Agree or disagree?",
        "Are you moving, or waiting?",
        "What's really stopping your team?",
        "Change our mind.",
        "Who's ready to act on this?",
    ],
    "educational": [
        "What would you add to this?",
        "Which part should we unpack next?",
        "What questions does this raise for your team?",
        "Did this help? Tell us what to explain next.",
        "What's still unclear? Ask below.",
    ],
    "inspirational": [
        "What's one step you'll take this week?",
        "Where do you see the opportunity?",
        "What will you build next?",
        "Who's with us?",
        "What would it look like if you led on this?",
    ],
}

CALLS_TO_ACTION: dict[str, list[str]] = {
    "professional": [
        "Save this for your next planning meeting.",
        "Share it with a colleague who's tracking this.",
        "Follow {brand} for clear analysis of what comes next.",
    ],
    "friendly": [
        "Share this with a teammate who'd find it useful.",
        "Save it for later, and come say hi in the comments.",
        "Follow {brand} for more friendly explainers.",
    ],
    "witty": [
        "Save this before your next meeting. You're welcome.",
        "Send it to the colleague who keeps asking about this.",
        "Follow {brand} for the news, with less drama.",
    ],
    "bold": [
        "Save this. Then act on it.",
        "Share it with someone who needs to hear it.",
        "Follow {brand}. We'll keep saying what others won't.",
    ],
    "educational": [
        "Save this explainer for later.",
        "Share it with someone who's getting up to speed.",
        "Follow {brand} for more explainers like this.",
    ],
    "inspirational": [
        "Save this as a reminder of what's possible.",
        "Share it with someone who's building something.",
        "Follow {brand} and let's build what's next.",
    ],
}

# Added at the start when the voice profile says the brand always uses emoji and a template has none.
TONE_EMOJI: dict[str, list[str]] = {
    "professional": ["📌", "📊", "🔎"],
    "friendly": ["👋", "😊", "🙌"],
    "witty": ["👀", "🤔", "😅"],
    "bold": ["🔥", "⚡", "🎯"],
    "educational": ["📚", "💡", "🧠"],
    "inspirational": ["✨", "🚀", "🌱"],
}

TEMPLATES: dict[str, dict[str, list]] = {
    "professional": {
        "x_post": [
            "{trend}.\n\nA cue to revisit the plan, not to panic. Our lens: {pillar}.\n\n{ask}",
            "📌 On our radar: {trend}.\n\nWhere we stand: {pillar}.\n\n{ask}",
            "{trend}.\n\nWorth checking now: the impact, the timeline, the owner. Our focus: {pillar}.\n\n{ask}",
            "Worth five minutes for {audience}: {trend}.\n\nOur view: {pillar}.\n\n{ask}",
        ],
        "linkedin_post": [
            "{trend}.\n\n{summary}\n\n~{detail}\n\n"
            "Why it matters for {audience}: moments like this separate the teams that plan ahead from the "
            "teams that react. The first group sets the terms; the second inherits them.\n\n"
            "At {brand}, one principle shapes how we look at news like this: {pillar}. It means looking "
            "past the headline to the process underneath.\n\n"
            "~Three questions worth asking this week:\n• What does this change for our customers?\n"
            "• What does it change for our team?\n• What should stay exactly as it is?\n\n{ask}",
            "📌 {trend}\n\n{summary}\n\n"
            "Our take: the headline is the easy part. The harder question for {audience} is what it "
            "changes in day-to-day work: the processes, the controls and the conversations with "
            "customers.\n\n"
            "~Teams that map that early tend to spend less and learn more than teams that wait for "
            "the full picture.\n\n"
            "That's where we put our attention at {brand}: {pillar}.\n\n{ask}",
            "A short read for {audience}:\n\n{trend}.\n\n{summary}\n\n~{detail}\n\n"
            "What we'd tell them:\n"
            "1. Don't wait for the dust to settle. Map where it touches your work now.\n"
            "2. Separate what's confirmed from what's speculation.\n"
            "3. Decide who owns the follow-up.\n\n"
            "Our perspective at {brand}: {pillar}.\n\n{ask}",
        ],
        "thread": [
            [
                "{trend}.\n\nWhat it means for {audience}, in a few short points. 🧵",
                "{summary}",
                "First, the context: news like this rarely stays contained. It shows up in budgets, "
                "priorities and customer conversations within weeks.",
                "Second, the risk: waiting for complete information. By the time it arrives, the "
                "decisions have been made elsewhere.",
                "Third, the opportunity: teams that prepare now shape the response instead of "
                "reacting to it.",
                "Our view at {brand}: {pillar}. That's the principle we'd bring to this.",
                "{ask}",
            ],
            [
                "Everyone is sharing the headline: {trend}.\n\nFewer are asking what it changes. A short thread 👇",
                "{summary}",
                "~{detail}",
                "For {audience}, the practical impact comes down to three things: timing, cost and ownership.",
                "Timing: the earlier you map the impact, the more options you keep.",
                "Cost: the cheapest response is usually the one planned before it's urgent.",
                "Ownership: if everyone is watching it, nobody is. Name one owner.",
                "Where we stand: {pillar}.\n\n{ask}",
            ],
            [
                "{trend}.\n\nThree questions we'd ask before reacting:",
                "{summary}",
                "1. What actually changes for our customers, and when?",
                "2. Which of our processes does it touch first?",
                "3. What would we regret not preparing for?",
                "Our answers start from one principle: {pillar}.",
                "{ask}",
            ],
        ],
        "carousel": [
            {
                "slides": [
                    ("What's happening", "{trend}"),
                    ("The context", "{summary}"),
                    (
                        "Why it matters",
                        "For {audience}, it changes what good planning looks like in the months ahead.",
                    ),
                    ("Our perspective", "{Pillar}."),
                    ("Also on our mind", "{Pillar2}."),
                    ("What to do next", "Review the impact, agree on an owner and set a date to revisit it."),
                    ("Keep this handy", "{cta}"),
                ],
                "caption": "{trend}.\n\nWe broke down what it means for {audience}, and how we're thinking about "
                "it at {brand}.\n\n{ask}",
            },
            {
                "slides": [
                    ("In brief", "{trend}"),
                    ("The detail", "{summary}"),
                    (
                        "What changes",
                        "Expect {audience} to revisit priorities, budgets and timelines as this unfolds.",
                    ),
                    (
                        "What doesn't",
                        "The fundamentals. Clear processes and good data still decide who handles change well.",
                    ),
                    ("Where we stand", "{Pillar}."),
                    ("Before you go", "{cta}"),
                ],
                "caption": "In brief: {trend}.\n\nSwipe through for what it means for {audience}, and our view."
                "\n\n{ask}",
            },
            {
                "slides": [
                    ("The news", "{trend}"),
                    ("The background", "{summary}"),
                    ("Question 1", "What does this change for our customers?"),
                    ("Question 2", "What does it change for how our team works?"),
                    ("Question 3", "What should stay exactly as it is?"),
                    ("How we answer them", "With one principle in mind: {pillar}."),
                    ("Next step", "{cta}"),
                ],
                "caption": "{trend}.\n\nThree questions worth asking, and how we answer them at {brand}."
                "\n\n{ask}",
            },
        ],
    },
    "friendly": {
        "x_post": [
            "Have you seen this? 👀 {trend}.\n\nFor us, it comes back to one thing: {pillar}.\n\n{ask}",
            "Quick one for {audience} today: {trend}.\n\nOur two cents: {pillar}. 😊\n\n{ask}",
            "This caught our eye: {trend}.\n\nIf you work in {industry}, you'll feel this one soon.\n\n"
            "Where we are: {pillar}.\n\n{ask}",
        ],
        "linkedin_post": [
            "Okay, let's talk about this one 👋\n\n{trend}.\n\n{summary}\n\n"
            "We know a lot of {audience} are thinking about it right now. The honest answer? Nobody has it "
            "fully figured out yet, and that's fine.\n\n"
            "Here's what we keep coming back to at {brand}: {pillar}.\n\n"
            "~It's not about having every answer on day one. It's about making the next step a little "
            "easier for the people doing the work.\n\n{ask}",
            "Some news worth a coffee break ☕\n\n{trend}\n\n{summary}\n\n~{detail}\n\n"
            "What we like about moments like this: they give {audience} a reason to step back and ask "
            "what's actually working.\n\n"
            "Our small contribution to that conversation: {pillar}.\n\n{ask}",
            "If this landed in your feed today and you're wondering what it means, you're not alone: "
            "{trend}.\n\n{summary}\n\n"
            "Here's our no-jargon take for {audience}:\n\n"
            "✅ It's worth understanding now, not later.\n"
            "✅ Small steps beat big overhauls.\n"
            "✅ You don't have to figure it out alone.\n\n"
            "At {brand}, this is what we're all about: {pillar}.\n\n{ask}",
        ],
        "thread": [
            [
                "Let's unpack this one together: {trend} 🧵",
                "{summary}",
                "So what does it mean for {audience}? Mostly, a few new questions to answer. No need to panic.",
                "The teams we admire treat news like this as a chance to tidy up how they work, not as a fire drill.",
                "For us, it comes back to one thing: {pillar}.",
                "{ask}",
            ],
            [
                "Grab a coffee ☕\n\nHere's a friendly rundown of this one: {trend}",
                "{summary}",
                "~{detail}",
                "Who should care? {Audience}, mostly, and everyone who works closely with them.",
                "Our advice: start small. One conversation with your team this week is enough to get going.",
                "Here's what we believe at {brand}: {pillar}.",
                "{ask}",
            ],
            [
                "You've probably seen the headline: {trend}.\n\nHere's the friendly version 👇",
                "{summary}",
                "The part that matters for {audience}: it's a good moment to check what's working and what isn't.",
                "A small step you can take today: share this with your team and ask what they think.",
                "And our take: {pillar}. 😊",
                "{ask}",
            ],
        ],
        "carousel": [
            {
                "slides": [
                    ("Let's talk about this", "{trend}"),
                    ("Here's the story", "{summary}"),
                    (
                        "Why you might care",
                        "If you work with {audience}, or you are one, this will reach your desk soon.",
                    ),
                    ("How we see it", "{Pillar}."),
                    ("A small tip", "Start with one small step this week. Momentum beats perfect plans."),
                    ("Thanks for reading", "{cta}"),
                ],
                "caption": "We made a quick, friendly explainer 👋\n\n{trend}.\n\nSwipe through for the short "
                "version.\n\n{ask}",
            },
            {
                "slides": [
                    ("Big news, simply put", "{trend}"),
                    ("What happened", "{summary}"),
                    (
                        "What it means for you",
                        "A few changes for {audience}, none of them scary if you start early.",
                    ),
                    ("What we believe", "{Pillar}."),
                    ("One more thing", "{Pillar2}."),
                    ("Let's stay in touch", "{cta}"),
                ],
                "caption": "{trend}. Here's what it means, simply put. 😊\n\n{ask}",
            },
            {
                "slides": [
                    ("Quick explainer", "{trend}"),
                    ("The short version", "{summary}"),
                    ("Who it affects", "{Audience}, and the teams around them."),
                    ("The good news", "There's time to prepare, and small steps go a long way."),
                    ("Where we come in", "{Pillar}."),
                    ("Over to you", "{cta}"),
                ],
                "caption": "A friendly explainer, made for {audience} 🙌\n\n{trend}.\n\n{ask}",
            },
        ],
    },
    "witty": {
        "x_post": [
            "Today's plot twist: {trend}.\n\nSome will panic. We'll keep doing our thing: {pillar}. 😌\n\n{ask}",
            "Nobody:\nAbsolutely nobody:\nThe news: {trend}.\n\nOur take, in one line: {pillar}.\n\n{ask}",
            "{trend}.\n\nYes, really. 👀 Before you rewrite the whole strategy, remember: {pillar}.\n\n{ask}",
            "Group chat buzzing about this? Same.\n\n{trend}.\n\nOur hot take is a calm one: {pillar}.\n\n{ask}",
        ],
        "linkedin_post": [
            "The internet has found its topic of the week. 👀\n\n{trend}.\n\n{summary}\n\n"
            'Cue the hot takes, the "this changes everything" posts and at least one very long thread.\n\n'
            "Here's our slightly less dramatic view for {audience}: good news rarely needs a panic, and bad "
            "news never improves with one.\n\n"
            "What we're sticking with at {brand}: {pillar}.\n\n{ask}",
            "Things we didn't have on our bingo card this week: {trend}.\n\n{summary}\n\n~{detail}\n\n"
            "To be fair, nobody had it on theirs. But {audience} aren't paid to predict headlines. They're paid to "
            "handle what comes next.\n\n"
            "So here's our very unscientific three-step plan:\n"
            "1. Read past the headline.\n2. Ask what it changes on Monday.\n"
            "3. Ignore anyone who says they saw it coming.\n\n"
            "Our not-so-secret philosophy: {pillar}.\n\n{ask}",
            "Plot twist of the week 🎬\n\n{trend}.\n\n{summary}\n\n"
            "If you're one of the {audience} reading this between meetings: hello, we see you, and yes, "
            "this one is worth the five minutes.\n\n"
            "The short version of our view: {pillar}.\n\n"
            "~The long version involves coffee and a whiteboard. Happy to share it.\n\n{ask}",
        ],
        "thread": [
            [
                "Plot twist of the week: {trend} 🧵",
                "{summary}",
                "Cue the hot takes. Some will say it changes everything, some will say it changes nothing. "
                "Both camps will be very confident.",
                "The truth for {audience} is, as usual, less dramatic: a few real changes and a lot of noise.",
                "Our approach to the noise: {pillar}.",
                "{ask}",
            ],
            [
                "Things we didn't have on our bingo card: {trend}.\n\nA short thread, no jargon. 👇",
                "{summary}",
                "~{detail}",
                "Step 1: read past the headline. It's usually less dramatic underneath.",
                "Step 2: ask what actually changes for {audience} on Monday.",
                "Step 3: ignore anyone who claims they saw it coming.",
                "And our not-so-secret philosophy: {pillar}.",
                "{ask}",
            ],
            [
                "Time for a quick reality check 👀\n\n{trend}.",
                "{summary}",
                "What people think it means: everything changes overnight.",
                "What it usually means: a few careful decisions by {audience} over the next few months.",
                "What we'd keep in mind: {pillar}.",
                "{ask}",
            ],
        ],
        "carousel": [
            {
                "slides": [
                    ("Plot twist", "{trend}"),
                    ("The story so far", "{summary}"),
                    ("Cue the hot takes", "Everyone has an opinion. Fewer people have a plan."),
                    ("Our calmer take", "{Pillar}."),
                    ("The plan", "Read past the headline. Ask what changes on Monday. Then act."),
                    ("One more thing", "{cta}"),
                ],
                "caption": "The week's plot twist, explained without the drama: {trend}. 🍿\n\n{ask}",
            },
            {
                "slides": [
                    ("Didn't see that coming", "{trend}"),
                    ("Wait, what happened?", "{summary}"),
                    ("Should you panic?", "No. Should {audience} pay attention? Absolutely."),
                    ("What we'd do", "{Pillar}."),
                    ("Bonus round", "{Pillar2}."),
                    ("Before you scroll on", "{cta}"),
                ],
                "caption": "{trend}. Should you panic? Swipe for the answer (spoiler: no). 👀\n\n{ask}",
            },
            {
                "slides": [
                    ("Today in headlines", "{trend}"),
                    ("The TL;DR", "{summary}"),
                    ("Hot take", "Most of the noise about this will age badly. The fundamentals won't."),
                    ("Our fundamentals", "{Pillar}."),
                    ("Still here?", "{cta}"),
                ],
                "caption": "Headline: {trend}.\n\nOur take: less noise, more fundamentals. Swipe through. 😌"
                "\n\n{ask}",
            },
        ],
    },
    "bold": {
        "x_post": [
            "{trend}.\n\nWaiting to see how it plays out is a decision too. Ours: {pillar}.\n\n{ask}",
            "The news: {trend}.\n\nTreat it as background noise and you'll fall behind. Our stance: {pillar}."
            "\n\n{ask}",
            "🔥 {trend}.\n\nNot one to watch from the sidelines. Our stance: {pillar}.\n\n{ask}",
        ],
        "linkedin_post": [
            "{trend}.\n\n{summary}\n\nLet's skip the polite version.\n\n"
            "Most companies will wait for someone else to go first. They'll call it caution. It's really "
            "just delay with better branding.\n\n"
            "{Audience} who move now get to set the standard. Everyone else gets to follow it.\n\n"
            "At {brand}, we're clear on where we stand: {pillar}.\n\n{ask}",
            "Unpopular opinion: the headline isn't the real story.\n\nThe headline: {trend}.\n\n{summary}\n\n"
            "The real story: this shows who has been building for change and who has been hoping to "
            "avoid it.\n\n~We know which side we'd rather be on.\n\n"
            "Our position: {pillar}. No hedging.\n\n{ask}",
            "🔥 Stop waiting for permission.\n\n{trend}.\n\n{summary}\n\n~{detail}\n\n"
            "Three things {audience} should do this week, not this quarter:\n"
            "→ Decide what this means for your customers.\n→ Pick one change and make it.\n"
            "→ Tell your team why.\n\n"
            "What we stand for at {brand}: {pillar}.\n\n{ask}",
        ],
        "thread": [
            [
                "{trend}.\n\nMost takes on this will be too cautious. Here's ours. 🧵",
                "{summary}",
                "Waiting to see how it plays out is a decision. It's usually the wrong one.",
                "{Audience} who move now get to set the standard. Everyone else follows it.",
                "Our stance is simple: {pillar}.",
                "{ask}",
            ],
            [
                "{trend}.\n\nUnpopular opinion: the headline isn't the story. 👇",
                "{summary}",
                "The real story is who was ready for this and who was hoping it would never come.",
                "If you're not ready, the fix isn't a big plan. It's one decision this week.",
                "Where we stand: {pillar}.",
                "~And one more thing we won't compromise on: {pillar2}.",
                "{ask}",
            ],
            [
                "{trend}.\n\nStop waiting for permission. What to do about it, in three moves:",
                "{summary}",
                "1. Decide what it means for your customers. Today, not next quarter.",
                "2. Pick one change and make it.",
                "3. Tell your team why. Clarity beats consensus.",
                "What drives us at {brand}: {pillar}.",
                "{ask}",
            ],
        ],
        "carousel": [
            {
                "slides": [
                    ("Stop scrolling", "{trend}"),
                    ("The facts", "{summary}"),
                    (
                        "The hard truth",
                        "Waiting to see how this plays out is a decision. Usually the wrong one.",
                    ),
                    ("Our stance", "{Pillar}."),
                    (
                        "Act this week",
                        "Decide what it means for your customers. Make one change. Tell your team why.",
                    ),
                    ("Now what?", "{cta}"),
                ],
                "caption": "{trend}.\n\nMost takes on this will be too cautious. Ours isn't. 🔥\n\n{ask}",
            },
            {
                "slides": [
                    ("This changes the game", "{trend}"),
                    ("What happened", "{summary}"),
                    ("Who wins", "{Audience} who move first and set the standard."),
                    ("Who loses", "Everyone who waits for someone else to go first."),
                    ("Where we stand", "{Pillar}."),
                    ("Your call", "{cta}"),
                ],
                "caption": "{trend}.\n\nWho wins, who loses? We're not hedging. 🎯\n\n{ask}",
            },
            {
                "slides": [
                    ("Unpopular opinion", "The headline isn't the story. The response is."),
                    ("The headline", "{trend}"),
                    ("The detail", "{summary}"),
                    (
                        "The real story",
                        "This shows who has been building for change and who hoped to avoid it.",
                    ),
                    ("Our position", "{Pillar}. No hedging."),
                    ("Your move", "{cta}"),
                ],
                "caption": "The headline: {trend}.\n\nUnpopular opinion: it isn't the story. The response is.\n\n{ask}",
            },
        ],
    },
    "educational": {
        "x_post": [
            "📚 Explained in one post: {trend}.\n\nStart by checking which processes it touches. "
            "Our principle: {pillar}.\n\n{ask}",
            "{trend}.\n\nKey point: the headline is the start; the details matter more. Our lens: {pillar}."
            "\n\n{ask}",
            "Today's lesson: {trend}.\n\n💡 Map the impact before you pick a response. Our take: {pillar}."
            "\n\n{ask}",
        ],
        "linkedin_post": [
            "📚 Let's break this one down.\n\nThe news: {trend}.\n\nWhat happened:\n{summary}\n\n~{detail}\n\n"
            "Why it matters for {audience}:\nNews like this tends to show up in processes first and in "
            "results later. The earlier you trace that path, the easier it is to respond.\n\n"
            "How to think about it:\n1. Identify which workflows it touches.\n"
            "2. Separate what's confirmed from what's speculation.\n3. Agree on who owns the follow-up.\n\n"
            "The principle we apply at {brand}: {pillar}.\n\n{ask}",
            "💡 {trend}.\n\nThree things to know.\n\n{summary}\n\n"
            "1. It's more than a headline. Expect practical follow-ups over the coming weeks.\n\n"
            "2. It affects {audience} first. Their decisions shape how everyone else experiences it.\n\n"
            "3. Preparation beats reaction. A short review now saves a long scramble later.\n\n"
            "How we approach it at {brand}: {pillar}.\n\n{ask}",
            "A short explainer for {audience}.\n\nThe news: {trend}.\n\nThe context: {summary}\n\n~{detail}\n\n"
            "A useful way to think about it is to ask three questions:\n"
            "• What changes?\n• Who is affected first?\n• What stays the same?\n\n"
            "~Answering them honestly usually shows where to start.\n\n"
            "Our guiding principle: {pillar}.\n\n{ask}",
        ],
        "thread": [
            [
                "📚 Let's break this one down: {trend}.\n\nA short explainer thread:",
                "{summary}",
                "~{detail}",
                "Why it matters: news like this shows up in processes first and in results later. Tracing "
                "that path early makes the response easier.",
                "How {audience} can think about it:\n1) Which workflows does it touch?\n"
                "2) What's confirmed, and what's speculation?\n3) Who owns the follow-up?",
                "The principle we apply: {pillar}.",
                "{ask}",
            ],
            [
                "💡 {trend}.\n\nThree things to know, in a short thread:",
                "{summary}",
                "1. It's more than a headline. Expect practical follow-ups in the coming weeks.",
                "2. It affects {audience} first, and their choices shape what everyone else experiences.",
                "3. Preparation beats reaction. A short review now saves a long scramble later.",
                "How we approach it at {brand}: {pillar}.",
                "{ask}",
            ],
            [
                "{trend}.\n\nA quick guide for {audience} 🧵",
                "The context: {summary}",
                "Question 1: what changes? Start with the processes and decisions it touches directly.",
                "Question 2: who's affected first? Usually {audience}, then the teams and customers around them.",
                "Question 3: what stays the same? More than you'd think. Keep what works.",
                "Our guiding principle through all of it: {pillar}.",
                "{ask}",
            ],
        ],
        "carousel": [
            {
                "slides": [
                    ("Explained simply", "{trend}"),
                    ("What happened", "{summary}"),
                    ("Why it matters", "News like this shows up in processes first and in results later."),
                    (
                        "How to respond",
                        "Identify the workflows it touches. Separate fact from speculation. Name an owner.",
                    ),
                    ("Our principle", "{Pillar}."),
                    ("Keep learning", "{cta}"),
                ],
                "caption": "📚 Explained simply: {trend}.\n\nWhat happened, why it matters and how to respond."
                "\n\n{ask}",
            },
            {
                "slides": [
                    ("Three things to know", "{trend}"),
                    ("The background", "{summary}"),
                    ("1. It's more than a headline", "Expect practical follow-ups over the coming weeks."),
                    (
                        "2. Who it affects first",
                        "{Audience}. Their decisions shape how everyone else experiences it.",
                    ),
                    ("3. Preparation beats reaction", "A short review now saves a long scramble later."),
                    ("How we apply it", "{Pillar}."),
                    ("Found this useful?", "{cta}"),
                ],
                "caption": "💡 {trend}.\n\nThree things to know. Swipe through.\n\n{ask}",
            },
            {
                "slides": [
                    ("A quick explainer", "{trend}"),
                    ("The context", "{summary}"),
                    (
                        "Question 1: What changes?",
                        "Start with the processes and decisions this touches directly.",
                    ),
                    (
                        "Question 2: Who is affected?",
                        "{Audience} first, then the teams and customers around them.",
                    ),
                    ("Question 3: What stays the same?", "More than you'd think. Keep what works."),
                    ("Our guiding principle", "{Pillar}."),
                    ("Save it for later", "{cta}"),
                ],
                "caption": "{trend}.\n\nThree questions that make sense of it, for {audience}.\n\n{ask}",
            },
        ],
    },
    "inspirational": {
        "x_post": [
            "{trend}.\n\nEvery shift like this is an invitation to build something better. ✨ "
            "Ours: {pillar}.\n\n{ask}",
            "Change is the opportunity. 🚀\n\n{trend}.\n\nThose who lean in now shape what comes next. "
            "Our part: {pillar}.\n\n{ask}",
            "News like this reminds us why we do what we do: {trend}.\n\nOur mission hasn't changed: "
            "{pillar}. 🌱\n\n{ask}",
        ],
        "linkedin_post": [
            "Every big shift starts as a headline.\n\n{trend}.\n\n{summary}\n\n"
            "It would be easy to see this as one more thing to manage. We see something else: a moment for "
            "{audience} to rethink what's possible, and to build it.\n\n"
            "That's what drives us at {brand}: {pillar}. ✨\n\n"
            "~The best teams don't wait for certainty. They move with purpose, learn fast and bring people "
            "with them.\n\n{ask}",
            "🚀 Moments like this are why we do what we do.\n\n{trend}.\n\n{summary}\n\n~{detail}\n\n"
            "Change can feel like pressure. It's also an opening. For {audience}, this is a chance to lead "
            "rather than follow, and to set the standard rather than meet it.\n\n"
            "Our commitment stays the same: {pillar}.\n\n{ask}",
            "A reminder for {audience} today 🌱\n\nWhen the news moves fast, your values are what keep you "
            "steady.\n\nThe news: {trend}.\n\n{summary}\n\n"
            "The opportunity: to respond in a way you'll be proud of a year from now.\n\n"
            "What keeps us steady at {brand}: {pillar}.\n\n{ask}",
        ],
        "thread": [
            [
                "Every big shift starts as a headline. This one: {trend} ✨🧵",
                "{summary}",
                "It would be easy to see this as one more thing to manage. We see a moment for {audience} "
                "to rethink what's possible.",
                "The best teams don't wait for certainty. They move with purpose and learn as they go.",
                "What drives us: {pillar}.",
                "{ask}",
            ],
            [
                "🚀 Moments like this are why we do what we do: {trend}",
                "{summary}",
                "~{detail}",
                "Change can feel like pressure. It's also an opening.",
                "For {audience}, it's a chance to lead rather than follow.",
                "Our commitment stays the same: {pillar}.",
                "{ask}",
            ],
            [
                "When the news moves fast, values keep you steady. 🌱\n\nToday's news: {trend}",
                "{summary}",
                "The opportunity: respond in a way you'll be proud of a year from now.",
                "Start small: one conversation, one decision, one step.",
                "What keeps us steady at {brand}: {pillar}.",
                "{ask}",
            ],
        ],
        "carousel": [
            {
                "slides": [
                    ("Every shift starts here", "{trend}"),
                    ("The story", "{summary}"),
                    (
                        "The opportunity",
                        "A moment for {audience} to rethink what's possible, and to build it.",
                    ),
                    ("What drives us", "{Pillar}."),
                    (
                        "Lead, don't follow",
                        "The best teams move with purpose, learn fast and bring people with them.",
                    ),
                    ("Your next step", "{cta}"),
                ],
                "caption": "Every big shift starts as a headline. ✨ This one: {trend}.\n\n{ask}",
            },
            {
                "slides": [
                    ("Change is an opening", "{trend}"),
                    ("What's happening", "{summary}"),
                    (
                        "Why it's exciting",
                        "It gives {audience} a chance to set the standard rather than meet it.",
                    ),
                    ("Our commitment", "{Pillar}."),
                    ("And beyond", "{Pillar2}."),
                    ("Let's build it", "{cta}"),
                ],
                "caption": "🚀 {trend}.\n\nChange can feel like pressure. It's also an opening.\n\n{ask}",
            },
            {
                "slides": [
                    ("When the news moves fast", "Your values keep you steady."),
                    ("The news", "{trend}"),
                    ("The detail", "{summary}"),
                    ("The opportunity", "To respond in a way you'll be proud of a year from now."),
                    ("What keeps us steady", "{Pillar}."),
                    ("Over to you", "{cta}"),
                ],
                "caption": "A reminder for {audience} today 🌱 When the news moves fast, values keep you steady."
                "\n\n{ask}",
            },
        ],
    },
}


@dataclass
class TemplateCopy:
    """Copy made from a template: ``parts`` is one text for a post, the tweets of a thread (numbered
    "i/n"), or a carousel's slides ("Headline\\n\\nBody"); ``caption`` is a carousel's caption ("" for
    other formats); ``hashtags`` are the ones placed in the copy."""

    parts: list[str]
    caption: str
    variant: int
    hashtags: list[str] = field(default_factory=list)
    tone: str = DEFAULT_TONE

    @property
    def text(self) -> str:
        """All of the copy as one text (for safety checks and search)."""
        return "\n\n".join([*self.parts, self.caption]).strip()


def _shape(platform: str, post_format: str) -> str:
    if post_format not in limits.PLATFORM_FORMATS.get(platform, ()):
        raise ValueError(f"No template copy for a {post_format} on {platform!r}.")
    return f"{platform}_post" if post_format == "post" else post_format


def template_variant_count(*, tone: str, platform: str, post_format: str) -> int:
    """How many variants the templates have for this tone, platform and format."""
    return len(TEMPLATES[_tone(tone)][_shape(platform, post_format)])


def template_copy(
    *,
    brand,
    trend,
    platform: str,
    post_format: str,
    tone: str,
    variant: int | None = None,
    seed=None,
) -> TemplateCopy:
    """The template copy for a trend in the brand's voice. ``variant`` picks a template (modulo
    their number); without it the seed picks one, and without a seed the inputs do, so the same
    brand, trend, platform, format and tone give the same copy. An unknown tone is taken as
    professional."""
    tone = _tone(tone)
    shape = _shape(platform, post_format)
    options = TEMPLATES[tone][shape]
    key = f"{getattr(brand, 'name', '')}|{getattr(trend, 'title', '')}|{platform}|{post_format}|{tone}"
    if variant is None:
        variant = (
            zlib.crc32(key.encode())
            if seed is None
            else random.Random(f"{seed}|{key}").randrange(len(options))  # noqa: S311 (not security)
        )
    variant %= len(options)
    rng = random.Random(f"{seed}|{variant}|{key}")  # noqa: S311 (variety, not security)
    voice = _Voice.from_brand(brand, shape)
    values = _values(brand=brand, trend=trend, tone=tone, shape=shape, rng=rng)
    tags = _hashtags(brand=brand, trend=trend, count=voice.hashtag_count(shape))
    template = options[variant]

    if shape == "thread":
        parts, used = _thread(template, values, voice, tags, tone=tone, rng=rng)
        caption = ""
    elif shape == "carousel":
        parts = _carousel_slides(template["slides"], values, voice)
        paragraphs = voice.with_emoji(_paragraphs(template["caption"], values, voice), tone=tone, rng=rng)
        caption, used = _fit_post(paragraphs, tags, limits.LINKEDIN_CAPTION_MAX, len)
    else:
        limit, length = (
            (limits.X_POST_MAX, x_weighted_length) if platform == "x" else (limits.LINKEDIN_POST_MAX, len)
        )
        paragraphs = voice.with_emoji(_paragraphs(template, values, voice), tone=tone, rng=rng)
        text, used = _fit_post(paragraphs, tags, limit, length)
        parts, caption = [text], ""
    return TemplateCopy(parts=parts, caption=caption, variant=variant, hashtags=used, tone=tone)


def _tone(tone: str) -> str:
    tone = (tone or "").strip().lower()
    return tone if tone in TEMPLATES else DEFAULT_TONE


# --- The brand's voice -----------------------------------------------------------------------


@dataclass
class _Voice:
    """What the voice profile says concretely; None where it says nothing."""

    emoji_per_post: float | None = None
    hashtags_per_post: float | None = None
    no_exclamations: bool = False
    short: bool = False

    @classmethod
    def from_brand(cls, brand, shape: str) -> _Voice:
        profile = getattr(brand, "voice_profile", None) or {}
        median = profile.get("median_chars")
        return cls(
            emoji_per_post=profile.get("emoji_per_post"),
            hashtags_per_post=profile.get("hashtags_per_post"),
            no_exclamations=profile.get("exclamation_rate") == 0,
            short=shape == "linkedin_post" and median is not None and median < SHORT_VOICE_MEDIAN_CHARS,
        )

    def hashtag_count(self, shape: str) -> int:
        if self.hashtags_per_post is None:
            return DEFAULT_HASHTAGS[shape]
        if self.hashtags_per_post <= 0:
            return 0
        return max(1, min(MAX_HASHTAGS[shape], round(self.hashtags_per_post)))

    def prepare(self, template: str) -> str:
        return template.replace("!", ".") if self.no_exclamations else template

    def with_emoji(
        self, paragraphs: list[tuple[str, bool]], *, tone: str, rng, add: bool = True
    ) -> list[tuple[str, bool]]:
        """The paragraphs of one post with the profile's emoji habit applied (before fitting, so
        an added emoji counts against the limit): none, at most its usual count, or one added at
        the start when it always uses some and the template has none."""
        if self.emoji_per_post is None:
            return paragraphs
        cap = 0 if self.emoji_per_post <= 0 else max(1, round(self.emoji_per_post))
        kept = 0

        def keep_first(match: re.Match) -> str:
            nonlocal kept
            kept += 1
            return match.group(0) if kept <= cap else ""

        result = []
        for text, extra in paragraphs:
            lines = []
            for line in text.split("\n"):
                kept_line = _tidy(EMOJI_SEQUENCE.sub(keep_first, line))
                # "A short thread 👇" without its emoji still ends a sentence: "A short thread."
                if kept_line and kept_line[-1].isalnum() and _ENDS_WITH_EMOJI.search(line):
                    kept_line += "."
                lines.append(kept_line)
            kept_text = _tidy("\n".join(lines))
            if kept_text:
                result.append((kept_text, extra))
        if add and kept == 0 and result and self.emoji_per_post >= 1:
            first, extra = result[0]
            result[0] = (f"{rng.choice(TONE_EMOJI[tone])} {first}", extra)
        return result


# --- Values for the placeholders -------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’&]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'])")
# Words that make poor hashtags and say nothing about a pillar's fit (kept as text: a list literal
# of 150 words would be 150 lines).
_STOPWORDS_TEXT = """a about above after again against all also am amid among an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    let me more most my new no nor not now of off on once only or other our ours out over own same
    says she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your yours year years today week weeks month months day days first last next
    could million billion percent per cent says said amid via into onto across inside outside
    report reports new news less make makes making still"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_HEADLINE_VERBS_TEXT = """launches launched unveils unveiled announces announced raises raised reveals revealed finds
    found shows showed hits hit warns warned plans planned opens opened takes took makes made
    gets got wins won loses lost cuts cut adds added sees saw expects expected faces faced jumps
    jumped falls fell rises rose surges surged drops dropped becomes became brings brought
    introduces introduced publishes published passes passed approves approved names named
    acquires acquired buys bought sells sold signs signed urges urged tells told asks asked
    vows vowed slams slammed"""
HEADLINE_VERBS = frozenset(_HEADLINE_VERBS_TEXT.split())
ADJECTIVE_ENDINGS = ("ive", "ous", "ful", "able", "ible", "less", "al", "ic")
_HASHTAG_BODY = re.compile(r"[^0-9A-Za-z_]")


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _first_lower(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a mixed-case name."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    return text[:1].lower() + text[1:]


def _plural(role: str) -> str:
    role = " ".join(role.split())
    words = role.split(" ")
    # "Head of finance" → "heads of finance": the noun before "of" takes the plural.
    index = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    word = words[index]
    lower = word.lower()
    if (lower.endswith("s") and not lower.endswith("ss")) or lower in {"staff", "people", "leadership"}:
        plural = word
    elif re.search(r"(ss|sh|ch|x|z)$", lower):
        plural = word + "es"
    elif re.search(r"[^aeiou]y$", lower) and not word.isupper():
        plural = word[:-1] + "ies"
    else:
        plural = word + "s"
    words[index] = plural
    return _first_lower(" ".join(words))


def _audience(brand, industry: str) -> str:
    roles = [
        r.strip() for r in getattr(brand, "audience_roles", None) or [] if isinstance(r, str) and r.strip()
    ]
    if not roles:
        return f"{industry} teams" if industry else AUDIENCE_FALLBACK
    plural = [_plural(r) for r in roles[:2]]
    return " and ".join(plural)


def _industry(brand) -> str:
    """The brand's industry as words for copy, or "" when it has none or picked a placeholder."""
    industry = getattr(brand, "industry", None)
    name = " ".join(str(getattr(industry, "name", industry) if industry else "").split())
    slug = str(getattr(industry, "slug", "") or "").lower()
    if not name or slug in PLACEHOLDER_INDUSTRIES or name.lower() in PLACEHOLDER_INDUSTRIES:
        return ""
    return _first_lower(name)


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD.findall(text) if len(w) > 3 and w.lower() not in STOPWORDS}


def _pillars_by_fit(brand, trend_text: str) -> list[str]:
    pillars = [
        p.strip().rstrip(".;:!")
        for p in getattr(brand, "pillars", None) or []
        if isinstance(p, str) and p.strip()
    ]
    trend_stems = _stems(trend_text)
    # Most words in common with the trend first; the brand's own order breaks ties.
    return sorted(pillars, key=lambda p: -len(_stems(p) & trend_stems))


def _clean_title(title: str) -> str:
    # Trends stored before ingestion took outlets off their titles still carry " - Reuters".
    return title_without_publisher(" ".join((title or "").split())).rstrip(".,;:")


def _summary_sentences(trend, title: str) -> list[str]:
    summary = " ".join((getattr(trend, "summary", None) or "").split())
    sentences = [s.strip() for s in _SENTENCE.split(summary) if s.strip()]
    # A summary that only repeats the title says nothing new.
    if sentences and _stems(sentences[0]) <= _stems(title):
        sentences = sentences[1:]
    return [s if s[-1] in ".!?…" else f"{s}." for s in sentences]


def _capped(text: str, cap: int, shape: str) -> str:
    if not text or cap <= 0:
        return ""
    return trim_to_limit(text, cap, length=x_weighted_length if shape in ("x_post", "thread") else len)


def _values(*, brand, trend, tone: str, shape: str, rng: random.Random) -> dict[str, str]:
    title = _clean_title(getattr(trend, "title", ""))
    sentences = _summary_sentences(trend, title)
    caps = VALUE_CAPS[shape]
    industry = _industry(brand)
    audience = _audience(brand, industry)
    pillars = _pillars_by_fit(brand, f"{title} {' '.join(sentences)}")
    pillar = pillars[0] if pillars else PILLAR_FALLBACK.format(audience=audience)
    pillar2 = pillars[1] if len(pillars) > 1 else ""
    values = {
        "brand": getattr(brand, "name", "") or "we",
        "trend": _capped(title, caps["trend"], shape),
        "summary": _capped(sentences[0], caps["summary"], shape) if sentences else "",
        "detail": _capped(sentences[1], caps["detail"], shape) if len(sentences) > 1 else "",
        "industry": industry,
        "audience": audience,
        "Audience": _first_upper(audience),
        "pillar": _first_lower(pillar),
        "Pillar": _first_upper(pillar),
        "pillar2": _first_lower(pillar2),
        "Pillar2": _first_upper(pillar2),
        "ask": rng.choice(QUESTIONS[tone]),
    }
    values["cta"] = rng.choice(CALLS_TO_ACTION[tone]).format(brand=values["brand"])
    return values


# --- Hashtags --------------------------------------------------------------------------------


def _tag(words: list[str]) -> str:
    if len(words) == 1:
        word = words[0]
        body = word if (word.isupper() or any(c.isupper() for c in word[1:])) else word.lower()
    else:
        body = "".join(w if w.isupper() else w[:1].upper() + w[1:].lower() for w in words)
    body = _HASHTAG_BODY.sub("", body)
    if len(body) < 2 or body.isdigit() or len(body) > 30:
        return ""
    return f"#{body}"


def _is_topic_word(word: str, *, min_length: int, single: bool) -> bool:
    lower = word.lower()
    return not (
        len(lower) < min_length
        or word.isupper()
        or lower in STOPWORDS
        or lower in HEADLINE_VERBS
        or lower.endswith(("ing", "ed", "ly"))
        # Alone, an adjective makes a poor tag (#productive, #central); in a pair it is fine (#CentralBank).
        or (single and lower.endswith(ADJECTIVE_ENDINGS))
    )


def _trend_tags(title: str, context: str) -> list[str]:
    """Tags for what the trend is about: names and topic words of its title that its summary or
    the brand's pillars repeat. A word only the headline uses is wording, not the topic
    ("UK Urges Schools …" is no #UrgesSchools)."""
    if title.startswith("#"):  # the trend is a hashtag
        return [t for t in [_tag([title[1:]])] if t]
    words = [w.rstrip("'’s") if w.endswith(("'s", "’s")) else w for w in _WORD.findall(title)]
    stems = Counter(w.lower()[:5] for w in _WORD.findall(context))

    def recurs(*candidate: str) -> bool:
        return all(stems[w.lower()[:5]] >= 2 for w in candidate)

    def weight(*pair: str) -> int:
        return sum(stems[w.lower()[:5]] for w in pair)

    capitalised = [w for w in words if w[:1].isupper()]
    title_case = len(capitalised) >= 0.6 * max(1, len([w for w in words if len(w) > 3]))
    tags: list[str] = []
    # Names: acronyms (AI, ECB, PSD3) and mixed-case names (OpenAI) anywhere; capitalised runs after
    # the first word unless the title capitalises every word ("Open Banking" → #OpenBanking).
    run: list[str] = []
    for i, word in enumerate([*words, ""]):
        is_acronym = 2 <= len(word) <= 6 and word.isupper()
        is_mixed = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
        is_name = not title_case and i > 0 and word[:1].isupper() and word.lower() not in STOPWORDS
        if is_acronym or is_mixed or is_name:
            run.append(word)
            continue
        if run and recurs(*run[:3]):
            tags.append(_tag(run[:3]))
        run = []
    # Then the topic: a two-word one ("instant payments", "remote work") before single words, the
    # one the trend repeats most (title, summary, pillars) first.
    pairs = [
        (m.group(1), m.group(2))
        for m in re.finditer(r"(?=\b([A-Za-z][a-z]+) ([A-Za-z][a-z]+)\b)", title)
        if all(_is_topic_word(w, min_length=4, single=False) for w in (m.group(1), m.group(2)))
        and recurs(m.group(1), m.group(2))
    ]
    if pairs:
        best = max(pairs, key=lambda pair: weight(*pair))
        # A topic the trend repeats says more than a name (#InstantPayments before #EU).
        tags.insert(0 if weight(*best) > 2 else len(tags), _tag(list(best)))
    singles = {w.lower() for w in words if _is_topic_word(w, min_length=5, single=True) and recurs(w)}
    for word in sorted(singles, key=lambda w: (-weight(w), -len(w), w)):
        if not any(word in tag.lower() for tag in tags):
            tags.append(_tag([word]))
    return [t for t in tags if t]


def _pillar_tags(pillar: str, context: str) -> list[str]:
    """A tag for the brand's pillar nearest the trend: its two-word topic ("Finance automation
    that auditors trust" → #FinanceAutomation), else its longest topic word."""
    stems = Counter(w.lower()[:5] for w in _WORD.findall(context))
    pairs = [
        (m.group(1), m.group(2))
        for m in re.finditer(r"(?=\b([A-Za-z][a-z]+) ([A-Za-z][a-z]+)\b)", pillar)
        if all(_is_topic_word(w, min_length=4, single=False) for w in (m.group(1), m.group(2)))
    ]
    tags = []
    if pairs:
        best = max(pairs, key=lambda pair: sum(stems[w.lower()[:5]] for w in pair))
        tags.append(_tag(list(best)))
    words = sorted(
        {w.lower() for w in _WORD.findall(pillar) if _is_topic_word(w, min_length=7, single=True)},
        key=lambda w: (-len(w), w),
    )
    tags.extend(_tag([w]) for w in words[:1])
    return [t for t in tags if t]


def _hashtags(*, brand, trend, count: int) -> list[str]:
    """Tags from the trend's topic, the brand's own favourites, its industry (never a placeholder
    such as "Other") and the pillar nearest the trend; never from arbitrary headline words."""
    if count <= 0:
        return []
    title = _clean_title(getattr(trend, "title", ""))
    pillars = [p for p in getattr(brand, "pillars", None) or [] if isinstance(p, str)]
    context = " ".join([title, getattr(trend, "summary", "") or "", *pillars])
    trend_tags = _trend_tags(title, context)
    profile = getattr(brand, "voice_profile", None) or {}
    brand_tags = [_tag([t.lstrip("#")]) if " " not in t else "" for t in profile.get("top_hashtags") or []]
    industry = _industry(brand)
    industry_tag = _tag(_WORD.findall(industry.replace("&", " "))) if industry else ""
    nearest = _pillars_by_fit(brand, context)[:1]
    pillar_tags = _pillar_tags(nearest[0], context) if nearest else []
    ordered = [
        *trend_tags[:1],
        *brand_tags[:1],
        industry_tag,
        *pillar_tags[:1],
        *trend_tags[1:2],
        *brand_tags[1:],
        *pillar_tags[1:],
    ]
    tags, seen = [], set()
    for tag in ordered:
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags[:count]


# --- Filling and fitting ---------------------------------------------------------------------

_FORMATTER = string.Formatter()


def _fill(template: str, values: dict[str, str]) -> str | None:
    """The template filled, or None when it uses an optional value that is empty."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if any(name in OPTIONAL_PLACEHOLDERS and not values.get(name) for name in names):
        return None
    return _tidy(template.format_map(values))


def _tidy(text: str) -> str:
    text = re.sub(r"([?!…])\.(?!\.)", r"\1", text)  # "Is it worth it?." from a title ending in "?"
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:!?])", r"\1", text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _paragraphs(template: str, values: dict[str, str], voice: _Voice) -> list[tuple[str, bool]]:
    """(text, is_extra) for each paragraph that stays."""
    kept = []
    for paragraph in voice.prepare(template).split("\n\n"):
        extra = paragraph.startswith(EXTRA_MARK)
        if extra and voice.short:
            continue
        text = _fill(paragraph.removeprefix(EXTRA_MARK), values)
        if text:
            kept.append((text, extra))
    return kept


def _with_tags(text: str, tags: list[str]) -> str:
    return f"{text}\n\n{' '.join(tags)}" if tags else text


def _fit_post(
    paragraphs: list[tuple[str, bool]], tags: list[str], limit: int, length
) -> tuple[str, list[str]]:
    """A post (or caption) within the limit: extras go first, then hashtags down to one, then the
    text is trimmed at a sentence end; the hashtags it kept."""
    paragraphs = list(paragraphs)
    while length(_with_tags("\n\n".join(p for p, _ in paragraphs), tags)) > limit:
        extras = [i for i, (_, extra) in enumerate(paragraphs) if extra]
        if extras:
            del paragraphs[extras[-1]]
        elif len(tags) > 1:
            tags = tags[:-1]
        else:
            break
    text = "\n\n".join(p for p, _ in paragraphs)
    if length(_with_tags(text, tags)) > limit:
        room = limit - (length(_with_tags("", tags)) if tags else 0)
        if tags and room < limit // 2:
            tags, room = [], limit
        text = _trim_keeping_last([p for p, _ in paragraphs], room, length)
    return _with_tags(text, tags), list(tags)


def _trim_keeping_last(paragraphs: list[str], room: int, length) -> str:
    """Trim the text to ``room``, keeping its last paragraph (the question to the audience) whole
    when the rest can still say something."""
    whole = "\n\n".join(paragraphs)
    if len(paragraphs) > 1:
        last = paragraphs[-1]
        head_room = room - length(last) - 2
        if head_room >= room // 2:
            head = trim_to_limit("\n\n".join(paragraphs[:-1]), head_room, length=length)
            text = f"{head}\n\n{last}"
            if head and length(text) <= room:
                return text
    return trim_to_limit(whole, room, length=length)


def _thread(
    tweets: list[str], values, voice: _Voice, tags: list[str], *, tone: str, rng
) -> tuple[list[str], list[str]]:
    bodies = []
    for tweet in tweets:
        extra = tweet.startswith(EXTRA_MARK)
        if extra and voice.short:
            continue
        text = _fill(voice.prepare(tweet.removeprefix(EXTRA_MARK)), values)
        if text:
            # Each tweet is a post of its own for the emoji habit; the first may get one added.
            emojified = voice.with_emoji([(text, extra)], tone=tone, rng=rng, add=not bodies)
            if emojified:
                bodies.append(emojified[0][0])
    bodies = bodies[: limits.X_THREAD_MAX_TWEETS]
    room = limits.X_POST_MAX - limits.thread_number_room(len(bodies))
    first, used = _fit_post([(bodies[0], False)], tags, room, x_weighted_length)
    bodies = [first] + [trim_to_limit(b, room, length=x_weighted_length) for b in bodies[1:]]
    return limits.thread_number(bodies), used


def _carousel_slides(slides: list[tuple[str, str]], values, voice: _Voice) -> list[str]:
    filled = []
    for headline, body in slides:
        headline_text = _fill(voice.prepare(headline), values)
        body_text = _fill(voice.prepare(body), values)
        if headline_text is None or body_text is None:
            continue
        # Slides become graphics, drawn with fonts that may have no emoji: none on a slide.
        headline_text = trim_to_limit(
            _tidy(EMOJI_SEQUENCE.sub("", headline_text)), limits.CAROUSEL_HEADLINE_MAX
        )
        body_text = trim_to_limit(_tidy(EMOJI_SEQUENCE.sub("", body_text)), limits.CAROUSEL_BODY_MAX)
        filled.append(limits.slide_join(headline_text, body_text))
    return filled[: limits.CAROUSEL_MAX_SLIDES]
