"""Every periodic job of the product, declared in code. `setup_periodic_tasks` writes them to
django-celery-beat's tables; nothing is scheduled by hand in the admin.

Each entry: name (unique, shown in the admin and ops page), task (registered Celery name),
and either `every_seconds` or `crontab` (minute hour day_of_week day_of_month month_of_year).
"""

PERIODIC_TASKS: list[dict] = [
    {
        "name": "core: heartbeat",
        "task": "core.heartbeat",
        "every_seconds": 60,
        "description": "Proves beat → broker → worker works; /healthz and the ops page read it.",
    },
    {
        "name": "notifications: purge old read notifications",
        "task": "notifications.purge_read",
        "crontab": "30 3 * * *",
        "description": "Deletes read notifications older than 90 days.",
    },
    {
        "name": "connections: refresh expiring X tokens",
        "task": "connections.refresh_expiring",
        "every_seconds": 15 * 60,
        "description": "Refreshes X access tokens that expire within the hour (rotating refresh tokens).",
    },
    {
        "name": "connections: warn before LinkedIn tokens expire",
        "task": "connections.warn_expiring",
        "crontab": "0 8 * * *",
        "description": "Notifies brand owners 7 days before a LinkedIn token (not refreshable) expires.",
    },
    {
        "name": "trends: refresh every 6 hours",
        "task": "trends.refresh_scheduled",
        "crontab": "0 */6 * * *",
        "description": "Fetches every trend source, merges duplicates, snapshots trends and rescores every brand.",
    },
    {
        "name": "publishing: dispatch due posts",
        "task": "publishing.dispatch",
        "every_seconds": 2,
        "description": "Claims publications that are due (or whose worker vanished) and sends each to a worker; "
        "expires posts more than 24 hours late.",
    },
    {
        "name": "analytics: fetch post metrics every 4 hours",
        "task": "analytics.fetch_metrics",
        "crontab": "17 */4 * * *",
        "description": "Fetches the numbers of every post published in the last 30 days whose reward is not "
        "final (X in batches of 100, LinkedIn, the sandbox), stores a snapshot each and updates the reward.",
    },
    {
        "name": "analytics: first metrics of new posts",
        "task": "analytics.fetch_first_metrics",
        "every_seconds": 60,
        "description": "Fetches the first numbers of every post published at least 15 minutes ago and never "
        "fetched, so a new post's page and analytics fill in before the next 4-hourly fetch.",
    },
    {
        "name": "learning: weekly training (Sunday 00:00 brand time)",
        "task": "analytics.policy_train_due",
        "crontab": "1 * * * *",
        "description": "Hourly: trains every brand whose Sunday 00:00 in its own time zone has passed with "
        "no training run since (Q-learning from 10 rewarded posts, else the bandit and a logged skip).",
    },
    {
        "name": "collaborations: expire offers past their deadline",
        "task": "collaborations.expire_offers",
        "every_seconds": 5 * 60,
        "description": "Offers and open calls still open at their deadline become expired.",
    },
    {
        "name": "collaborations: deadline reminders and missed reposts",
        "task": "collaborations.deadlines",
        "every_seconds": 5 * 60,
        "description": "Reminds influencers once, 24 hours before an unanswered offer's deadline, an "
        "open call's close (applicants not yet picked) and a repost's due time; collaborations whose "
        "repost is overdue become missed (fee cancelled, both sides told).",
    },
    {
        "name": "collaborations: influencer fit for every brand (daily)",
        "task": "collaborations.influencer_fit_daily",
        "crontab": "50 4 * * *",
        "description": "Ranks every influencer by fit (embedding similarity of bio and audience to the "
        "brand's profile and pillars) for every brand with an embedding, and embeds profiles lacking one.",
    },
    {
        "name": "collaborations: measure reposts every 4 hours",
        "task": "collaborations.measure_reposts",
        "crontab": "27 */4 * * *",
        "description": "Fetches the numbers of verified reposts (X in batches of 100, LinkedIn, the sandbox), "
        "refreshes each collaboration's reach multiplier, engagement, ROI and audience reaction, and completes "
        "those whose measuring time is over (final result, reputation recomputed).",
    },
    {
        "name": "collaborations: resume stalled reposts",
        "task": "collaborations.reposts_resume",
        "every_seconds": 60,
        "description": "Pipeline reposts whose worker vanished (queued past their claim, or sending past "
        "their lease) are claimed again and looked up on the platform before anything is resent; "
        "checks left waiting are queued again.",
    },
    {
        "name": "memes: prune unused stored renders",
        "task": "memes.prune_renders",
        "crontab": "40 3 * * *",
        "description": "Deletes stored meme renders no meme uses (URL renders, previews, deleted memes) "
        "older than MEME_RENDER_CACHE_DAYS (30).",
    },
]
