"""The Learning page: what was learned in words, the skip reason, the next training, Train now,
404 for another brand's page, and a query count that does not grow with the data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.learning.models import TrainingRun
from apps.learning.training import policy_train
from tests.factories import MembershipFactory
from tests.learning.learning_factories import learning_brand, published, trend_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(brand_user, client):
    brand = learning_brand(timezone="Europe/Paris")
    MembershipFactory(brand=brand, user=brand_user)
    client.force_login(brand_user)
    return brand


def test_a_brand_with_nothing_published_sees_what_to_do(owned, client):
    response = client.get(reverse("learning:page", args=[owned.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing published yet, so nothing learned" in body
    assert "Not started" in body
    assert "15 %" in body


def test_a_skipped_run_shows_its_reason_and_the_bandit(owned, client):
    for reward in (1.0, 3.0, 2.0):
        published(owned, reward=reward)
    policy_train(brand=owned)
    body = client.get(reverse("learning:page", args=[owned.pk])).content.decode()
    assert "Only 3 published posts with a performance score in the last 30 days; training needs 10." in body
    assert "Early days: comparing tones and formats" in body
    assert "Witty threads on X: average performance score 2.0 over 3 posts" in body
    assert "Nothing published yet" not in body


def test_a_trained_model_says_what_it_learned_in_words(owned, client):
    tech = trend_with(category="product")
    for i in range(12):
        published(owned, reward=2.3, trend=tech, at=timezone.now() - timedelta(days=1 + i))
    published(owned, reward=1.0, tone="bold", post_format="post", platform="linkedin", trend=tech)
    policy_train(brand=owned)
    body = client.get(reverse("learning:page", args=[owned.pk])).content.decode()
    assert "Witty threads on X on product trends: average performance score 2.3 over 12 posts" in body
    assert "Learning per kind of trend" in body
    assert "product trends · witty thread · tech" in body
    assert "Sunday" in body and "Europe/Paris" in body  # next training, brand-local


def test_train_now_runs_the_training_and_says_so(owned, client):
    response = client.post(reverse("learning:train", args=[owned.pk]), follow=True)
    assert TrainingRun.objects.filter(brand=owned, status="skipped").count() == 1
    assert "Training skipped. Only 0 published posts" in response.content.decode()


def test_another_brands_learning_page_is_not_found(owned, client):
    other = learning_brand()
    assert client.get(reverse("learning:page", args=[other.pk])).status_code == 404
    assert client.post(reverse("learning:train", args=[other.pk])).status_code == 404
    assert not TrainingRun.objects.filter(brand=other).exists()


def test_the_nav_link_opens_the_current_brands_learning_page(owned, client):
    response = client.get(reverse("learning:current"))
    assert response.status_code == 302 and response["Location"] == reverse("learning:page", args=[owned.pk])


def test_the_page_query_count_does_not_grow_with_posts_and_runs(owned, client, django_assert_max_num_queries):
    url = reverse("learning:page", args=[owned.pk])
    for i in range(3):
        published(owned, reward=1.0 + i)
    policy_train(brand=owned)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    tones = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
    for i in range(30):
        published(
            owned,
            reward=i % 5,
            tone=tones[i % 6],
            trend=trend_with(category=("product", "research", "markets")[i % 3]),
            at=timezone.now() - timedelta(hours=5 + i),
        )
    for _ in range(5):
        policy_train(brand=owned)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_lessons_rank_steady_results_above_one_lucky_post(owned):
    from apps.learning.selectors import learning_page_get

    tech, news = trend_with(category="product"), trend_with(category="breaking")
    now = timezone.now()
    for i in range(5):  # witty threads: steady 3.0 on product trends, and twice on breaking news
        published(owned, reward=3.0, trend=tech, at=now - timedelta(days=1 + i))
    for i in range(2):
        published(owned, reward=3.0, trend=news, at=now - timedelta(days=6 + i))
    published(owned, reward=3.4, tone="bold", post_format="post", trend=news, at=now - timedelta(days=8))
    for i in range(5):
        published(
            owned,
            reward=1.0,
            tone="professional",
            post_format="post",
            trend=news,
            at=now - timedelta(days=9 + i),
        )
    policy_train(brand=owned)
    texts = [lesson.text for lesson in learning_page_get(brand=owned).lessons]
    # Over all trends when the action was used on several kinds; a single 3.4 does not come first.
    assert texts[0] == "Witty threads on X: average performance score 3.0 over 7 posts"
    assert "Witty threads on X on product trends: average performance score 3.0 over 5 posts" in texts
    # An action used on one kind of trend only gets that lesson, not the same one twice.
    assert "Professional posts on X on breaking trends: average performance score 1.0 over 5 posts" in texts
    assert "Professional posts on X: average performance score 1.0 over 5 posts" not in texts


def test_a_lesson_resting_on_fewer_than_3_posts_is_not_shown(owned):
    from apps.learning.selectors import learning_page_get

    news = trend_with(category="breaking")
    for i in range(10):
        published(owned, reward=2.0, trend=news, at=timezone.now() - timedelta(days=1 + i))
    published(owned, reward=4.8, tone="bold", post_format="post", trend=news)
    published(owned, reward=4.6, tone="bold", post_format="post", trend=news)
    policy_train(brand=owned)

    page = learning_page_get(brand=owned)

    assert not any(lesson.action.tone == "bold" for lesson in page.lessons)
    assert page.lessons_hidden == 1


def test_the_page_states_the_lesson_threshold_and_how_many_are_hidden(owned, client):
    for reward in (1.0, 3.0, 2.0):
        published(owned, reward=reward)
    published(owned, reward=4.0, tone="bold", post_format="post")
    policy_train(brand=owned)

    body = client.get(reverse("learning:page", args=[owned.pk])).content.decode()

    assert "Only what rests on 3 posts or more is shown" in body
    assert "1 other with fewer posts is still being tried" in body
    assert "Bold posts on X: average performance score" not in body


def test_the_page_leads_with_the_best_action_and_how_sure_that_is(owned, client):
    for i, reward in enumerate((3.0, 3.2, 2.9, 3.1)):
        published(owned, reward=reward, at=timezone.now() - timedelta(days=1 + i))
    for i, reward in enumerate((1.0, 1.2, 0.9)):
        published(
            owned, reward=reward, tone="bold", post_format="post", at=timezone.now() - timedelta(days=2 + i)
        )

    body = client.get(reverse("learning:page", args=[owned.pk])).content.decode()

    verdict = body.split('id="ln-verdict"')[1].split("</h2>")[0]
    assert "Witty threads on X do best for you — 4 posts, clearly ahead" in verdict
    assert body.index('id="ln-verdict"') < body.index('id="ln-learned"')


def test_the_maths_sits_behind_a_how_it_learns_disclosure(owned, client):
    tech = trend_with(category="product")
    for i in range(12):
        published(owned, reward=2.3, trend=tech, at=timezone.now() - timedelta(days=1 + i))
    policy_train(brand=owned)

    body = client.get(reverse("learning:page", args=[owned.pk])).content.decode()

    how = body.split('<details class="card ln-how" id="ln-how">')[1].split("</details>")[0]
    assert "How it learns" in how
    assert "Q(s,a) ← Q(s,a) + α[r − Q(s,a)]" in how and 'id="ln-state-table"' in how
    assert "Q(s,a)" not in body.split('<details class="card ln-how"')[0]


def test_the_chart_has_each_actions_score_per_day_in_brand_time(owned, client):
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    day = (timezone.now() - timedelta(days=3)).astimezone(paris).replace(hour=0, minute=30)
    published(owned, reward=2.0, at=day)
    published(owned, reward=4.0, at=day + timedelta(hours=2))
    published(owned, reward=1.0, tone="bold", post_format="post", at=day + timedelta(days=1))

    response = client.get(reverse("learning:page", args=[owned.pk]))

    chart = json.loads(
        response.content.decode().split('id="chart-scores" type="application/json">')[1].split("</script>")[0]
    )
    midnight = int(datetime.combine(day.date(), datetime.min.time(), tzinfo=paris).timestamp())
    assert chart["x"] == [midnight, midnight + 86400]
    series = {s["label"]: s["values"] for s in chart["series"]}
    assert series == {"Witty threads on X": [3.0, None], "Bold posts on X": [None, 1.0]}
