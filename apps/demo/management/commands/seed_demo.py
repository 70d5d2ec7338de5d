"""Idempotent demo data: a brand user with a brand, an influencer and a staff user, each with a
welcome notification. Later features add their own demo data through DEMO_SEEDERS."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.analytics.services import metrics_fetch_due
from apps.brands.models import Brand, BrandMembership, Industry, MembershipRole, Platform, SocialConnection
from apps.brands.services import (
    brand_set_audience,
    brand_set_identity,
    brand_set_industry,
    brand_set_pillars,
    brand_set_preferences,
    brand_set_voice_samples,
    brand_skip_accounts,
)
from apps.collaborations.models import (
    Collaboration,
    CollaborationStatus,
    InfluencerAccount,
    InfluencerProfile,
    Offer,
    OfferKind,
    Repost,
    RepostMethod,
    RepostStatus,
    ReputationEvent,
)
from apps.collaborations.services import (
    brand_member_users,
    collaboration_advance,
    collaboration_cancel,
    collaboration_confirm_receipt,
    collaboration_mark_paid,
    collaborations_miss_overdue,
    influencer_profile_get_or_create,
    influencer_profile_update,
    influencer_set_follower_count,
    offer_accept,
    offer_counter,
    offer_send,
    open_call_apply,
    open_call_create,
)
from apps.collaborations.services.accounts import influencer_sandbox_account_create
from apps.collaborations.services.measure import reposts_measure
from apps.collaborations.services.rates import influencer_rate_set
from apps.integrations.sources import offline  # looked up at call time: tests swap the source
from apps.learning.policy import learning_state
from apps.learning.training import policy_train
from apps.memes import generation as meme_generation
from apps.memes import services as meme_services
from apps.memes.models import MemeTemplate
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.posts.generation import copy_template
from apps.posts.models import Post, PostCopy, PostStatus
from apps.posts.services import post_graphics_generate
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.services import post_publish_now, post_queue
from apps.sandbox.publisher import sandbox_post_url, sandbox_repost_url
from apps.sandbox.services import sandbox_post_create, sandbox_repost_create
from apps.trends.models import BrandTrendScore, RunStatus, Trend, TrendRefreshRun
from apps.trends.services import trend_refresh_execute, trends_score_brands

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    {"email": "brand@demo.socialmedai.local", "role": Role.BRAND, "display_name": "Dana (Northwind)"},
    {"email": "editor@demo.socialmedai.local", "role": Role.BRAND, "display_name": "Eli (Northwind)"},
    {"email": "influencer@demo.socialmedai.local", "role": Role.INFLUENCER, "display_name": "Ivy Creates"},
    {"email": "staff@demo.socialmedai.local", "role": "", "display_name": "Sam Operator", "staff": True},
]
WELCOME = {
    Role.BRAND: ("Welcome to social-medAI", "Your demo brand Northwind Analytics is ready on the dashboard."),
    Role.INFLUENCER: ("Welcome to social-medAI", "Brands will send you collaboration offers here."),
    "": ("Welcome, operator", "The admin and /healthz show how the system is doing."),
}


def seed_users(stdout) -> dict[str, User]:
    users = {}
    for spec in DEMO_USERS:
        staff = spec.get("staff", False)
        user, created = User.objects.get_or_create(
            email=spec["email"],
            defaults={
                "role": spec["role"],
                "display_name": spec["display_name"],
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        users[spec["email"]] = user
        stdout.write(f"{'created' if created else 'kept'} user {user.email}")
    return users


def seed_brand(stdout, users: dict[str, User]) -> Brand:
    owner = users["brand@demo.socialmedai.local"]
    brand, created = Brand.objects.get_or_create(
        slug="northwind-analytics", defaults={"name": "Northwind Analytics", "created_by": owner}
    )
    BrandMembership.objects.get_or_create(brand=brand, user=owner, defaults={"role": MembershipRole.OWNER})
    BrandMembership.objects.get_or_create(
        brand=brand, user=users["editor@demo.socialmedai.local"], defaults={"role": MembershipRole.EDITOR}
    )
    SocialConnection.objects.get_or_create(
        brand=brand,
        platform=Platform.SANDBOX,
        defaults={"handle": brand.slug, "display_name": f"{brand.name} (sandbox)"},
    )
    if not brand.is_onboarded:
        brand_set_industry(brand=brand, industry_id=Industry.objects.get(slug="fintech").pk)
        brand_set_identity(brand=brand, primary_color="#0F766E", secondary_color="#F59E0B")
        brand_set_pillars(
            brand=brand,
            pillars=[
                "Month-end close in days, not weeks",
                "Finance automation that auditors trust",
                "Built for growing finance teams",
            ],
        )
        brand_set_audience(
            brand=brand,
            roles=["CFO", "Finance director", "Controller"],
            geographies=["Germany", "UK", "Nordics"],
            company_sizes=["51-200", "201-1000"],
        )
        brand_skip_accounts(brand=brand)
        brand_set_voice_samples(
            brand=brand,
            samples=[
                "Month-end close shouldn't take 12 days. Here's how finance teams get it to 3 #fintech #finops",
                "We asked 300 CFOs what slows their close. The answer wasn't tools, it was handoffs. #finops",
                "New: real-time FX exposure in your dashboard. No spreadsheets required.",
            ],
        )
        brand_set_preferences(
            brand=brand,
            posts_per_week=4,
            preferred_days=[0, 1, 2, 3],
            time_windows=["09:00-11:00", "14:00-15:00"],
            timezone_name="Europe/Berlin",
            default_tone="professional",
        )
    stdout.write(f"{'created' if created else 'kept'} brand {brand.name}")
    return brand


def seed_influencer_profile(stdout, users: dict[str, User]) -> None:
    user = users["influencer@demo.socialmedai.local"]
    profile = influencer_profile_get_or_create(user=user)
    if not profile.bio:
        influencer_profile_update(
            profile=profile,
            bio="I write about payments, fraud and the finance teams who fight it. Weekly threads for CFOs.",
            audience_roles=["CFOs", "Founders"],
            audience_industries=["Fintech", "SaaS"],
            audience_geographies=["UK", "Germany"],
            is_public=True,
        )
        influencer_set_follower_count(profile=profile, platform="linkedin", count=3400)
        stdout.write(f"filled the influencer profile @{profile.slug}")
    _usual_terms(profile, *DEMO_INFLUENCER_TERMS["influencer"])


def _usual_terms(profile: InfluencerProfile, rate_minor: int, engagement_rate: float) -> None:
    """A demo influencer's usual fee (EUR, through the profile editor's service) and, until the
    product has measured one, the average engagement rate of their own posts, so the search's fee and
    engagement filters find them. Each only when missing: a later run keeps what was changed."""
    if profile.rate_minor is None:
        influencer_rate_set(profile=profile, rate_minor=rate_minor, currency="EUR")
    if profile.engagement_rate is None:
        # No service sets it (measured reposts update it): the seed stands in for their history.
        InfluencerProfile.objects.filter(pk=profile.pk).update(engagement_rate=engagement_rate)
        profile.engagement_rate = engagement_rate


def seed_welcome_notifications(stdout, users: dict[str, User]) -> None:
    for user in users.values():
        title, body = WELCOME[user.role]
        if not Notification.objects.filter(user=user, title=title).exists():
            notification_create(user=user, title=title, body=body, url="/portal/")
            stdout.write(f"notified {user.email}")


def seed_trends(stdout) -> None:
    """Run the real trend pipeline over the offline demo set, in three rounds 6 hours apart, so
    trends have snapshots, momentum and per-brand scores without any API key."""
    now = timezone.now()
    recent = TrendRefreshRun.objects.filter(
        trigger=TrendRefreshRun.Trigger.DEMO,
        status=RunStatus.SUCCEEDED,
        created_at__gte=now - timedelta(days=7),
    )
    # Trends that all went quiet (an offline refresh once faded every one) are loaded again.
    if recent.exists() and Trend.objects.active(now).filter(volume__gt=0).exists():
        stdout.write("Demo trends: already loaded this week.")
        return
    stdout.write("Demo trends: running the trend pipeline over the offline set (3 rounds, 6 hours apart)…")
    for round_index in range(offline.ROUNDS):
        at = now - timedelta(hours=6 * (offline.ROUNDS - 1 - round_index))
        run = TrendRefreshRun.objects.create(trigger=TrendRefreshRun.Trigger.DEMO)
        trend_refresh_execute(
            run=run, sources=[offline.OfflineFixtureSource(round=round_index, now=at)], now=at
        )
        stdout.write(
            f"  round {round_index + 1}: {run.items_fetched} items → {run.trends_created} new and "
            f"{run.trends_updated} updated trends; {run.recommendations} recommendations"
        )


def seed_publishing(stdout, brand: Brand, owner: User) -> None:
    """Posts on the calendar from the demo trends, with template copy and graphics (no API key
    needed): two published to the sandbox now (they go out when the worker runs), two in the
    brand's queue, and one approved post waiting to be scheduled."""
    if Post.objects.filter(brand=brand).exclude(status=PostStatus.DRAFT).exists():
        stdout.write("Demo posts: already on the calendar.")
        return
    scores = list(BrandTrendScore.objects.filter(brand=brand).select_related("trend").order_by("-final")[:5])
    if not scores:
        stdout.write("Demo posts: no trends scored for the brand yet (run without --no-trends).")
        return
    posts = []
    for score in scores:
        trend = score.trend
        copy = copy_template(
            brand=brand, trend=trend, platform="x", post_format="post", tone=brand.default_tone
        )
        post = Post.objects.create(
            brand=brand,
            trend=trend,
            created_by=owner,
            post_format="post",
            tone=brand.default_tone,
            status=PostStatus.APPROVED,
            approved_by=owner,
            generation_state="ready",
            generation_progress=100,
        )
        PostCopy.objects.create(post=post, platform="x", parts=copy.parts, source=copy.source)
        post_graphics_generate(post=post)
        posts.append(post)
    for post in posts[:2]:
        post_publish_now(post=post, user=owner)
    for post in posts[2:4]:
        post_queue(post=post, user=owner)
    stdout.write(f"Demo posts: 2 publishing to the sandbox, 2 in the queue, {len(posts) - 4} approved.")


# Four weeks of demo history: (days ago, brand-local hour, tone, format). Varied on purpose, so the
# analytics heatmap, the best topics and the learned model have something to say.
DEMO_HISTORY = [
    (27, 9, "professional", "post"),
    (26, 14, "witty", "post"),
    (25, 10, "educational", "thread"),
    (23, 9, "friendly", "post"),
    (22, 18, "professional", "thread"),
    (21, 10, "witty", "thread"),
    (20, 14, "bold", "post"),
    (19, 9, "educational", "post"),
    (17, 10, "professional", "post"),
    (16, 12, "witty", "post"),
    (15, 9, "educational", "thread"),
    (14, 18, "inspirational", "post"),
    (13, 10, "professional", "thread"),
    (12, 9, "witty", "thread"),
    (10, 14, "friendly", "post"),
    (9, 10, "educational", "thread"),
    (8, 9, "professional", "post"),
    (7, 15, "witty", "post"),
    (6, 10, "educational", "post"),
    (5, 9, "bold", "thread"),
    (4, 10, "witty", "thread"),
    (3, 14, "professional", "post"),
    (2, 9, "educational", "thread"),
    (1, 10, "witty", "post"),
]


def seed_history(stdout, brand: Brand, owner: User) -> None:
    """Four weeks of published sandbox posts (DEMO_HISTORY) with their metrics fetched every 12
    hours as the 4-hourly job would have, and the weekly training run on them: the post pages,
    Analytics (Sandbox) and Learning show real numbers from the first visit."""
    now = timezone.now()
    if Publication.objects.filter(brand=brand, published_at__lt=now - timedelta(hours=12)).exists():
        stdout.write("Demo history: already there.")
        return
    trends = [s.trend for s in BrandTrendScore.objects.filter(brand=brand).select_related("trend")[:6]]
    trends = trends or list(Trend.objects.order_by("-last_seen_at")[:6])
    if not trends:
        stdout.write("Demo history: no trends yet (run without --no-trends).")
        return
    connection = brand.connections.get(platform="sandbox")
    zone = ZoneInfo(brand.timezone or "UTC")
    for i, (days_ago, hour, tone, post_format) in enumerate(DEMO_HISTORY):
        trend = trends[i % len(trends)]
        local = (now - timedelta(days=days_ago)).astimezone(zone)
        at = local.replace(hour=hour, minute=5 * (i % 6), second=0, microsecond=0)
        copy = copy_template(brand=brand, trend=trend, platform="x", post_format=post_format, tone=tone)
        state = learning_state(brand=brand, trend=trend, post_format=post_format, tone=tone)
        post = Post.objects.create(
            brand=brand,
            trend=trend,
            created_by=owner,
            post_format=post_format,
            tone=tone,
            status=PostStatus.PUBLISHED,
            approved_by=owner,
            approved_at=at - timedelta(hours=2),
            scheduled_for=at,
            published_at=at,
            generation_state="ready",
            generation_progress=100,
            learning_state=state,
            learning_action={"tone": tone, "post_format": post_format, "platforms": ["x"]},
        )
        Post.objects.filter(pk=post.pk).update(created_at=at - timedelta(hours=3))
        PostCopy.objects.create(post=post, platform="x", parts=copy.parts, source=copy.source)
        meta = {"tone": tone, "post_format": post_format, "post_id": post.pk, "trend_momentum": 0.3}
        part_ids, previous = [], None
        for text in copy.parts:
            made = sandbox_post_create(brand_id=brand.pk, text=text, reply_to=previous, meta=meta, now=at)
            previous = made.external_id
            part_ids.append(made.external_id)
        Publication.objects.create(
            post=post,
            brand=brand,
            connection=connection,
            platform="sandbox",
            copy_platform="x",
            status=PublicationStatus.PUBLISHED,
            scheduled_for=at,
            due_at=at,
            queued_by="time",
            external_id=part_ids[0],
            external_url=sandbox_post_url(brand_id=brand.pk, external_id=part_ids[0]),
            part_ids=part_ids,
            published_at=at,
            created_by=owner,
            # History, not news: the live digest must not announce weeks-old posts as "just now".
            live_notified=True,
        )
    first = now - timedelta(days=DEMO_HISTORY[0][0] + 1)
    fetches, moment = 0, first
    # Each fetch logs an INFO line; replayed 57 times they flood `make run`: one summary below.
    fetch_logger = logging.getLogger(metrics_fetch_due.__module__)
    level = fetch_logger.level
    fetch_logger.setLevel(max(level, logging.WARNING))
    try:
        while moment <= now:
            metrics_fetch_due(now=moment)
            fetches += 1
            moment += timedelta(hours=12)
    finally:
        fetch_logger.setLevel(level)
    run = policy_train(brand=brand, now=now)
    # The trend scores' learned-reward part now has the brand's past posts to go on.
    trends_score_brands(brand_ids=[brand.pk], now=now)
    stdout.write(
        f"Demo history: {len(DEMO_HISTORY)} sandbox posts over four weeks, metrics fetched {fetches} times, "
        f"model {run.get_status_display().lower()} ({run.posts_used} posts)."
    )


# A dozen demo influencers for the marketplace: (email local part, name, bio, roles, industries,
# geographies, {platform: followers}). They sign in with DEMO_PASSWORD like the others.
DEMO_INFLUENCERS = [
    (
        "maya",
        "Maya Ledger",
        "Ex-controller writing about the month-end close.",
        ["CFOs", "Controllers"],
        ["Fintech", "SaaS"],
        ["Germany", "Nordics"],
        {"linkedin": 12800, "x": 4100},
    ),
    (
        "oskar",
        "Oskar Finance",
        "Nordic finance ops, automation and audit trails.",
        ["Controllers", "Finance directors"],
        ["Fintech"],
        ["Nordics"],
        {"linkedin": 8600},
    ),
    (
        "priya",
        "Priya on FP&A",
        "FP&A playbooks for scale-ups, one chart at a time.",
        ["CFOs", "Founders"],
        ["SaaS"],
        ["UK"],
        {"linkedin": 21500, "x": 9800},
    ),
    (
        "lukas",
        "Lukas Tax",
        "VAT, e-invoicing and the German Mittelstand.",
        ["Finance directors"],
        ["Manufacturing", "Fintech"],
        ["Germany"],
        {"linkedin": 5400},
    ),
    (
        "amara",
        "Amara Payments",
        "Payments, fraud and treasury for growing teams.",
        ["CFOs", "Treasurers"],
        ["Fintech", "E-commerce"],
        ["UK", "Germany"],
        {"x": 31200, "linkedin": 7700},
    ),
    (
        "jonas",
        "Jonas Builds",
        "Founder notes: raising, runway and the first finance hire.",
        ["Founders"],
        ["SaaS"],
        ["Germany", "UK"],
        {"x": 14300},
    ),
    (
        "sofia",
        "Sofia Audit",
        "Audit readiness without the panic.",
        ["Controllers", "Auditors"],
        ["Fintech", "Professional services"],
        ["UK"],
        {"linkedin": 9900},
    ),
    (
        "theo",
        "Theo Spreadsheets",
        "Spreadsheet jokes that are secretly finance lessons.",
        ["Finance analysts"],
        ["SaaS", "Fintech"],
        ["UK", "Nordics"],
        {"x": 52000, "linkedin": 3100},
    ),
    (
        "ines",
        "Ines CFO Diaries",
        "A CFO's week, every Friday.",
        ["CFOs"],
        ["Healthcare", "SaaS"],
        ["Germany"],
        {"linkedin": 17400},
    ),
    (
        "noah",
        "Noah Data",
        "Finance data stacks: warehouses, dashboards, alerts.",
        ["Finance analysts", "CFOs"],
        ["SaaS"],
        ["Nordics", "Germany"],
        {"x": 6200, "linkedin": 4800},
    ),
    (
        "elin",
        "Elin Treasury",
        "Cash, FX and the treasury desk explained.",
        ["Treasurers", "CFOs"],
        ["Fintech"],
        ["Nordics", "UK"],
        {"linkedin": 11200},
    ),
    (
        "marco",
        "Marco Ops",
        "Finance operations for marketplaces and e-commerce.",
        ["Finance directors", "Founders"],
        ["E-commerce"],
        ["Germany", "UK"],
        {"x": 8800, "linkedin": 6600},
    ),
]


# Their usual fee per repost (EUR cents) and the engagement rate of their own posts, by email local
# part ("influencer" is the demo influencer): bigger audiences ask more and engage a little less.
DEMO_INFLUENCER_TERMS = {
    "influencer": (12000, 0.050),
    "maya": (25000, 0.038),
    "oskar": (15000, 0.045),
    "priya": (40000, 0.031),
    "lukas": (9000, 0.052),
    "amara": (45000, 0.027),
    "jonas": (18000, 0.036),
    "sofia": (16000, 0.041),
    "theo": (60000, 0.022),
    "ines": (28000, 0.034),
    "noah": (14000, 0.048),
    "elin": (17000, 0.039),
    "marco": (20000, 0.030),
}


def demo_influencer_email(local: str) -> str:
    return f"{local}@influencers.demo.socialmedai.local"


def seed_influencers(stdout) -> list[InfluencerProfile]:
    """The dozen DEMO_INFLUENCERS with their profiles, audiences, follower counts, usual fees and
    engagement rates (DEMO_INFLUENCER_TERMS), each with a Sandbox account to repost from (the
    sandbox's own network: reposts there are sandbox posts with numbers), made by the same service
    as the profile page's button. Safe to run again: each is made once."""
    profiles = []
    for local, name, bio, roles, industries, geographies, followers in DEMO_INFLUENCERS:
        user, created = User.objects.get_or_create(
            email=demo_influencer_email(local),
            # Made-up addresses: no email is sent to them.
            defaults={"role": Role.INFLUENCER, "display_name": name, "email_notifications": False},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        profile = influencer_profile_get_or_create(user=user)
        if not profile.bio:
            influencer_profile_update(
                profile=profile,
                bio=bio,
                audience_roles=roles,
                audience_industries=industries,
                audience_geographies=geographies,
                is_public=True,
            )
            for platform, count in followers.items():
                influencer_set_follower_count(profile=profile, platform=platform, count=count)
        _usual_terms(profile, *DEMO_INFLUENCER_TERMS[local])
        influencer_sandbox_account_create(profile=profile)
        profiles.append(profile)
    stdout.write(
        f"Demo influencers: {len(profiles)} with audiences, follower counts, usual fees and Sandbox accounts."
    )
    return profiles


@transaction.atomic
def seed_marketplace(stdout, brand: Brand, owner: User, demo: InfluencerProfile, others: list) -> None:
    """Offers and collaborations for the demo brand, made through the marketplace services so the
    ledger adds up: a direct offer waiting for the demo influencer, a countered one, an open call
    with two applicants, and collaborations accepted, paid and cancelled. The services notify
    each step; that history is not news, so its notifications are removed in the same transaction
    (their emails and live pushes, scheduled on commit, then find nothing to send)."""
    if Offer.objects.filter(
        brand=brand, kind=OfferKind.OPEN_CALL
    ).exists():  # seed_deliveries' offers come first
        stdout.write("Demo marketplace: already there.")
        return
    posts = [
        publication.post
        for publication in Publication.objects.filter(
            brand=brand, queued_by="time", status=PublicationStatus.PUBLISHED
        )
        .select_related("post")
        .order_by("-published_at")[:6]
    ]
    if len(posts) < 6:
        stdout.write("Demo marketplace: the brand has no published history yet; skipped.")
        return
    people = [demo, *others]
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    deadline = timezone.now() + timedelta(days=7)
    terms = {"currency": "EUR", "deadline": deadline, "user": owner, "brand": brand}

    def direct(post, influencer, fee_minor, platform="linkedin", message=""):
        (offer,) = offer_send(
            post=post,
            influencers=[influencer],
            fee_minor=fee_minor,
            platform=platform,
            message=message,
            **terms,
        )
        return offer

    waiting, countered, open_post, accepted, paid, cancelled = posts
    # The demo influencer's offers are on the Sandbox, where she has an account: accepting the
    # waiting one (or opening the accepted one) lets her "Repost now" on first visit.
    influencer_sandbox_account_create(profile=demo)
    direct(
        waiting,
        demo,
        25000,
        platform="sandbox",
        message="Your CFO audience would love this one. Tag us and keep the link?",
    )
    direct(waiting, others[0], 30000)
    offer_counter(
        offer=direct(countered, others[2], 20000, platform="x"), influencer=others[2], fee_minor=35000
    )
    call = open_call_create(
        post=open_post,
        criteria={"roles": ["CFOs", "Controllers"], "geographies": ["Germany", "UK"], "min_followers": 1000},
        slots=2,
        fee_minor=15000,
        platform="linkedin",
        message="Two finance voices to share our month-end close guide.",
        notify_matches=False,  # demo history, not news (its applicants are already there)
        **terms,
    )
    open_call_apply(offer=call, influencer=others[6], message="Audit teams ask me about this weekly.")
    open_call_apply(offer=call, influencer=others[8])
    offer_accept(offer=direct(accepted, demo, 18000, platform="sandbox"), influencer=demo)
    done = offer_accept(offer=direct(paid, demo, 22000), influencer=demo)
    for step in (
        CollaborationStatus.REPOSTED,
        CollaborationStatus.VERIFIED,
        CollaborationStatus.MEASURED,
        CollaborationStatus.COMPLETED,
    ):
        done = collaboration_advance(collaboration=done, to=step)
    done = collaboration_mark_paid(collaboration=done, user=owner)
    collaboration_confirm_receipt(collaboration=done, user=demo.user)
    called_off = offer_accept(offer=direct(cancelled, others[4], 40000, platform="x"), influencer=others[4])
    collaboration_cancel(collaboration=called_off, user=owner)
    Notification.objects.filter(
        pk__gt=last_notification, user__in=[*brand_member_users(brand_id=brand.pk), *(p.user for p in people)]
    ).delete()
    stdout.write(
        "Demo marketplace: an offer waiting for the demo influencer, a counter-offer, an open call with "
        "two applicants, and collaborations accepted, paid and cancelled."
    )


# Delivered collaborations for the demo brand: (influencer index (0 = the demo influencer, then
# DEMO_INFLUENCERS), days ago accepted, fee in EUR cents, what happened). Completed ones go through
# the real measurement (sandbox reposts, the 4-hourly job replayed at their times), so results,
# reputation events and the influencers' own averages are what the product computes.
DEMO_DELIVERIES = [
    (2, 27, 18000, "completed"),
    (4, 26, 24000, "missed"),
    (6, 25, 15000, "completed"),
    (0, 24, 20000, "paid"),
    (2, 22, 21000, "completed"),
    (8, 21, 16000, "completed"),
    (10, 20, 30000, "missed"),
    (6, 18, 17000, "paid"),
    (0, 16, 26000, "completed"),
    (3, 14, 19000, "completed"),
    (0, 5, 23000, "measured"),
    (5, 4, 14000, "measured"),
    (7, 3, 12000, "verified"),
    (9, 2, 15000, "reposted"),
]


def _back_date(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


def _sandbox_account(profile: InfluencerProfile) -> InfluencerAccount:
    return influencer_sandbox_account_create(profile=profile)


def _demo_repost(collaboration: Collaboration, post, at, *, status: str) -> Repost:
    """The influencer's sandbox repost of the brand's post at `at`, recorded as the repost services
    leave it (verified, or still being checked), the collaboration stepped along."""
    profile = collaboration.influencer
    parent = Publication.objects.filter(post=post, platform="sandbox").values_list("external_id", flat=True)[
        0
    ]
    made = sandbox_repost_create(
        user_id=profile.user_id,
        handle=profile.slug,
        external_id=parent,
        text=f"Worth reading for every finance team, from @{collaboration.brand.slug}.",
        audience=profile.followers_total or None,
        now=at,
    )
    collaboration = collaboration_advance(collaboration=collaboration, to=CollaborationStatus.REPOSTED)
    verified = status == RepostStatus.VERIFIED
    if verified:
        collaboration = collaboration_advance(collaboration=collaboration, to=CollaborationStatus.VERIFIED)
    _back_date(Collaboration, collaboration.pk, reposted_at=at, verified_at=at if verified else None)
    return Repost.objects.create(
        collaboration=collaboration,
        method=RepostMethod.PIPELINE,
        account=_sandbox_account(profile),
        platform="sandbox",
        status=status,
        text=made.text,
        url=sandbox_repost_url(external_id=made.external_id),
        external_id=made.external_id,
        posted_at=at,
        verified_at=at if verified else None,
        attempts=1,
    )


@transaction.atomic
def seed_deliveries(stdout, brand: Brand, owner: User, demo: InfluencerProfile, others: list) -> None:
    """DEMO_DELIVERIES: collaborations reposted, verified, measured, completed (some paid) and missed,
    back-dated over the last weeks, so the brand's collaboration ROI, the influencers' analytics and
    public profiles (reputation history, delivered reach) show numbers on the first visit.
    Idempotent (skipped once the brand has reposts); the steps' notifications are removed as in
    seed_marketplace."""
    if Repost.objects.filter(collaboration__brand=brand).exists():
        stdout.write("Demo deliveries: already there.")
        return
    posts = [
        publication.post
        for publication in Publication.objects.filter(
            brand=brand, queued_by="time", status=PublicationStatus.PUBLISHED, platform="sandbox"
        )
        .select_related("post")
        .order_by("published_at")
    ]
    if len(posts) < 8:
        stdout.write("Demo deliveries: the brand has no published history yet; skipped.")
        return
    people = [demo, *others]
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    now = timezone.now()
    counts: dict[str, int] = {}
    for i, (who, days_ago, fee_minor, outcome) in enumerate(DEMO_DELIVERIES):
        profile = people[who]
        accepted = now - timedelta(days=days_ago)
        # a post published before the offer; the newest six are seed_marketplace's
        eligible = [p for p in posts[:-6] if p.published_at < accepted - timedelta(hours=2)] or posts[:1]
        post = eligible[(i * 5) % len(eligible)]
        if Offer.objects.filter(post=post, influencer=profile).exists():
            post = next(
                (p for p in eligible if not Offer.objects.filter(post=p, influencer=profile).exists()), post
            )
        (offer,) = offer_send(
            brand=brand,
            user=owner,
            post=post,
            influencers=[profile],
            fee_minor=fee_minor,
            currency="EUR",
            deadline=now + timedelta(days=7),
            platform="sandbox",
            message="",
        )
        collaboration = offer_accept(offer=offer, influencer=profile)
        _back_date(Offer, offer.pk, created_at=accepted - timedelta(days=1), responded_at=accepted)
        _back_date(
            Collaboration,
            collaboration.pk,
            accepted_at=accepted,
            repost_due_at=accepted + timedelta(days=3),
            measure_due_at=accepted + timedelta(days=10),
        )
        collaboration.refresh_from_db()
        if outcome == "missed":
            collaborations_miss_overdue(now=collaboration.repost_due_at + timedelta(minutes=5))
            missed_at = collaboration.repost_due_at + timedelta(minutes=5)
            _back_date(Collaboration, collaboration.pk, missed_at=missed_at)
            ReputationEvent.objects.filter(collaboration=collaboration).update(created_at=missed_at)
        else:
            reposted = accepted + timedelta(hours=20 + i % 5)
            if outcome == "reposted":
                _demo_repost(collaboration, post, reposted, status=RepostStatus.VERIFYING)
            else:
                repost = _demo_repost(collaboration, post, reposted, status=RepostStatus.VERIFIED)
                if outcome != "verified":
                    first = reposted + timedelta(hours=3)
                    reposts_measure(now=first, repost_ids=[repost.pk])
                    _back_date(Collaboration, collaboration.pk, measured_at=first)
                if outcome in ("completed", "paid"):
                    done = collaboration.measure_due_at + timedelta(hours=1)
                    reposts_measure(now=done, repost_ids=[repost.pk])
                    _back_date(Collaboration, collaboration.pk, completed_at=done)
                    ReputationEvent.objects.filter(collaboration=collaboration).update(created_at=done)
                    collaboration.refresh_from_db()
                    if outcome == "paid":
                        collaboration = collaboration_mark_paid(collaboration=collaboration, user=owner)
                        collaboration_confirm_receipt(collaboration=collaboration, user=profile.user)
                        _back_date(Collaboration, collaboration.pk, paid_at=done + timedelta(days=1))
                elif outcome == "measured":
                    reposts_measure(now=now, repost_ids=[repost.pk])
        counts[outcome] = counts.get(outcome, 0) + 1
    Notification.objects.filter(
        pk__gt=last_notification, user__in=[*brand_member_users(brand_id=brand.pk), *(p.user for p in people)]
    ).delete()
    summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    stdout.write(f"Demo deliveries: sandbox reposts measured and results computed ({summary}).")


# Demo memes: (author email, template slug, captions). Made through the same services as the maker
# page, so running again finds each one (same user, same pixels) instead of copying it.
DEMO_MEMES = [
    ("influencer@demo.socialmedai.local", "this-is-fine", ["Month-end close, day 11", "This is fine"]),
    ("brand@demo.socialmedai.local", "two-buttons", ["Reconcile by hand", "Automate it", "Finance team"]),
    (
        "staff@demo.socialmedai.local",
        "expanding-brain",
        ["Spreadsheets", "Macros", "Scripts", "Memes about it"],
    ),
    ("influencer@demo.socialmedai.local", "change-my-mind", ["The best CFO dashboard is a meme", ""]),
    ("brand@demo.socialmedai.local", "before-after", ["Close in 12 days", "Close in 3 days"]),
    (
        "influencer@demo.socialmedai.local",
        "galaxy-brain",
        ["Posting at 9 am", "Posting when the trend peaks"],
    ),
    ("brand@demo.socialmedai.local", "approve-reject", ["Another status meeting", "An async update"]),
    ("influencer@demo.socialmedai.local", "hype-pulse", ["When the post", "goes viral"]),
]
# (voter email, index in DEMO_MEMES, vote, reactions)
DEMO_VOTES = [
    ("brand@demo.socialmedai.local", 0, 1, ["laugh", "fire"]),
    ("staff@demo.socialmedai.local", 0, 1, ["skull"]),
    ("influencer@demo.socialmedai.local", 1, 1, ["clap"]),
    ("staff@demo.socialmedai.local", 1, 1, []),
    ("brand@demo.socialmedai.local", 2, 1, ["laugh"]),
    ("influencer@demo.socialmedai.local", 2, 1, ["thinking"]),
    ("staff@demo.socialmedai.local", 3, -1, ["thinking"]),
    ("influencer@demo.socialmedai.local", 4, 1, ["heart"]),
    ("staff@demo.socialmedai.local", 5, 1, ["fire"]),
    ("brand@demo.socialmedai.local", 7, 1, ["fire", "laugh"]),
    ("staff@demo.socialmedai.local", 7, 1, ["clap"]),
]


def seed_memes(stdout, users: dict[str, User]) -> None:
    """The starter meme templates, and a public feed that looks alive: 8 memes by the demo users
    with a few votes and reactions (see DEMO_MEMES)."""
    report = meme_services.template_import()
    if report.created:
        stdout.write(f"Meme templates: imported {len(report.created)} starter templates.")
    templates = {t.slug: t for t in MemeTemplate.objects.filter(slug__in={m[1] for m in DEMO_MEMES})}
    memes, made = [], 0
    for email, slug, texts in DEMO_MEMES:
        template = templates.get(slug)
        if template is None:
            stdout.write(f"Demo memes: template {slug} is missing; skipped.")
            memes.append(None)
            continue
        fmt = "gif" if template.is_animated else "jpeg"
        spec = meme_generation.spec_from_input(template=template, texts=texts, format=fmt)
        meme, created = meme_services.meme_create(user=users[email], spec=spec, size="medium", is_public=True)
        memes.append(meme)
        made += created
    for email, index, value, reactions in DEMO_VOTES:
        meme = memes[index]
        if meme is None:
            continue
        meme_services.meme_vote(meme=meme, user=users[email], value=value)
        for emoji in reactions:
            meme_services.meme_react(meme=meme, user=users[email], emoji=emoji, on=True)
    kept = len([m for m in memes if m]) - made
    stdout.write(f"Demo memes: {made} made, {kept} kept; see /memes/.")


class Command(BaseCommand):
    help = "Load demo data (safe to run again: nothing is duplicated)."

    @transaction.atomic
    def add_arguments(self, parser):
        parser.add_argument(
            "--no-trends",
            action="store_true",
            help="Skip the offline trend set (it loads the embedding model).",
        )

    def handle(self, *args, **options):
        users = seed_users(self.stdout)
        seed_brand(self.stdout, users)
        seed_influencer_profile(self.stdout, users)
        influencers = seed_influencers(self.stdout)
        seed_welcome_notifications(self.stdout, users)
        seed_memes(self.stdout, users)
        if not options["no_trends"]:
            self.stdout.write("Demo trends: embedding and scoring the offline set (1/3)…")
            seed_trends(self.stdout)
            brand = Brand.objects.get(slug="northwind-analytics")
            self.stdout.write("Demo calendar: drafts, approvals and the queue (2/3)…")
            seed_publishing(self.stdout, brand, users["brand@demo.socialmedai.local"])
            self.stdout.write("Demo history: four weeks of sandbox posts, metrics and training (3/3)…")
            seed_history(self.stdout, brand, users["brand@demo.socialmedai.local"])
            self.stdout.write("Demo deliveries: reposts measured, completed and missed collaborations…")
            seed_deliveries(
                self.stdout,
                brand,
                users["brand@demo.socialmedai.local"],
                users["influencer@demo.socialmedai.local"].influencer_profile,
                influencers,
            )
            self.stdout.write("Demo marketplace: influencers' offers and collaborations…")
            seed_marketplace(
                self.stdout,
                brand,
                users["brand@demo.socialmedai.local"],
                users["influencer@demo.socialmedai.local"].influencer_profile,
                influencers,
            )
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
        else:
            self.stdout.write(
                self.style.SUCCESS("Demo accounts, brand and memes ready (trends and history next).")
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']:<38} {spec['role'] or 'staff'}")
