"""What both sides see of delivered collaborations: the brand's collaboration ROI page and its
section on the analytics page, the brand's prices form, the influencer's analytics and the public
profile's reputation history and delivered reach. Another brand's pages are a 404; query counts pinned."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.collaborations.models import CollaborationSettings, CollaborationStatus
from tests.collaborations import measure_fixtures
from tests.collaborations.measure_fixtures import brand_post, collaboration_for, delivered
from tests.factories import InfluencerProfileFactory, MembershipFactory

membership, brand, owner, creator = (
    measure_fixtures.membership,
    measure_fixtures.brand,
    measure_fixtures.owner,
    measure_fixtures.creator,
)


def roi_url(brand):
    return reverse("collaborations_brand:roi", args=[brand.pk])


def prices_url(brand):
    return reverse("collaborations_brand:prices", args=[brand.pk])


# --- The brand's collaboration ROI -----------------------------------------------------------------


def test_the_roi_page_lists_each_measured_collaboration_with_its_numbers(client, brand, owner, creator):
    done = delivered(brand, owner, creator)
    client.force_login(owner)

    response = client.get(roi_url(brand))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-collaboration="{done.pk}"' in html
    # 800 / 1000 × 8.00 + 42 × 0.30 = 6.40 + 12.60 = 19.00 EUR of a 100.00 EUR fee
    assert "19.00 EUR" in html and "0.19×" in html
    assert "1.80×" in html  # brand post 1000 + repost 800
    chart = (
        json.loads(response.context["chart"].__str__().replace("'", '"'))
        if False
        else response.context["chart"]
    )
    assert chart["series"][0]["values"] == [pytest.approx(0.19)]
    assert "<html" in html.lower()  # the full page


def test_the_roi_page_says_why_roi_is_missing_in_another_currency(client, brand, owner, creator):
    CollaborationSettings.objects.create(brand=brand, currency="USD", cpm_minor=800, cpe_minor=30)
    delivered(brand, owner, creator)
    client.force_login(owner)

    html = client.get(roi_url(brand)).content.decode()

    assert "Not computed: your prices are in USD and this fee is in EUR" in html


def test_the_roi_page_without_collaborations_says_what_to_do(client, brand, owner):
    client.force_login(owner)
    html = client.get(roi_url(brand)).content.decode()
    assert "No collaboration measured yet" in html and "Find influencers" in html


def test_htmx_gets_the_section_alone_for_the_analytics_page(client, brand, owner, creator):
    delivered(brand, owner, creator)
    client.force_login(owner)

    response = client.get(roi_url(brand), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200 and 'id="collaboration-roi"' in html
    assert "<html" not in html.lower() and 'id="chart-collab-roi"' in html


def test_the_brand_analytics_page_loads_the_roi_section_with_htmx(client, brand, owner):
    client.force_login(owner)
    html = client.get(reverse("analytics:brand", args=[brand.pk])).content.decode()
    assert f'hx-get="{roi_url(brand)}"' in html


def test_another_brands_roi_and_prices_are_a_404(client, brand, owner, creator):
    delivered(brand, owner, creator)
    stranger = MembershipFactory().user
    client.force_login(stranger)
    assert client.get(roi_url(brand)).status_code == 404
    assert client.get(prices_url(brand)).status_code == 404
    assert client.post(prices_url(brand), {"currency": "EUR", "cpm": "1", "cpe": "1"}).status_code == 404
    assert not CollaborationSettings.objects.exists()


def test_the_roi_page_query_count_does_not_grow_with_collaborations(
    client, brand, owner, django_assert_max_num_queries
):
    for _ in range(4):
        delivered(brand, owner, InfluencerProfileFactory(), final=False)
    client.force_login(owner)
    with django_assert_max_num_queries(8):
        response = client.get(roi_url(brand))
    assert response.content.decode().count("data-collaboration=") == 4
    for _ in range(4):
        delivered(brand, owner, InfluencerProfileFactory())
    with django_assert_max_num_queries(8):
        response = client.get(roi_url(brand))
    assert response.content.decode().count("data-collaboration=") == 8


# --- The brand's prices --------------------------------------------------------------------------


def test_the_prices_form_shows_the_defaults_until_prices_are_set(client, brand, owner):
    client.force_login(owner)
    response = client.get(prices_url(brand))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="ca-defaults"' in html
    assert response.context["form"].initial == {"currency": "EUR", "cpm": "8.00", "cpe": "0.30"}


def test_prices_typed_as_decimals_are_saved_in_minor_units(client, brand, owner):
    client.force_login(owner)
    response = client.post(prices_url(brand), {"currency": "usd", "cpm": "12.50", "cpe": "0.45"})
    assert response.status_code == 302
    row = CollaborationSettings.objects.get(brand=brand)
    assert (row.currency, row.cpm_minor, row.cpe_minor) == ("USD", 1250, 45)


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"currency": "EUX", "cpm": "8", "cpe": "0.3"}, "currency", "ISO 4217"),
        ({"currency": "EUR", "cpm": "8.005", "cpe": "0.3"}, "cpm", "2 decimal places"),
        ({"currency": "EUR", "cpm": "-1", "cpe": "0.3"}, "cpm", "cannot be negative"),
        ({"currency": "EUR", "cpm": "8", "cpe": "lots"}, "cpe", "not an amount"),
        ({"currency": "JPY", "cpm": "8", "cpe": "0.5"}, "cpe", "0 decimal places"),
    ],
)
def test_bad_prices_are_shown_next_to_their_field_and_nothing_is_saved(
    client, brand, owner, data, field, message
):
    client.force_login(owner)
    response = client.post(prices_url(brand), data)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not CollaborationSettings.objects.exists()


# --- The influencer's analytics ------------------------------------------------------------------


def analytics_url():
    return reverse("collaborations:analytics")


def test_the_influencer_analytics_without_reposts_says_what_to_do(client, creator):
    client.force_login(creator.user)
    response = client.get(analytics_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "No reposts yet" in html and "No fees yet" in html and "“New”" in html
    assert 'aria-current="page">Analytics' in html  # the nav's link


def test_the_influencer_sees_reposts_engagement_earnings_and_reputation(client, brand, owner, creator):
    delivered(brand, owner, creator, paid=True)
    delivered(brand, owner, creator, likes=10, final=False)
    client.force_login(creator.user)

    response = client.get(analytics_url())

    html = response.content.decode()
    report = response.context["report"]
    assert len(report.reposts) == 2 and html.count("data-repost=") == 2
    assert report.engagement_total == 42 + 12
    charts = response.context["charts"]
    assert sum(charts["engagement"]["series"][0]["values"]) == 54
    # the fee: 100.00 EUR received (paid, receipt confirmed), 100.00 EUR still owed
    (eur,) = report.earnings
    assert (eur.received_minor, eur.owed_minor) == (FEE_MINOR, FEE_MINOR)
    assert charts["earnings"]["series"][0]["label"] == "Received (EUR)"
    assert charts["earnings"]["series"][0]["values"] == [100.0]
    assert len(report.reputation) == 1 and charts["reputation"]["series"][0]["values"] == [
        float(report.reputation[0].score)
    ]
    for chart in ("chart-engagement", "chart-earnings", "chart-reputation"):
        assert f'id="{chart}"' in html


FEE_MINOR = measure_fixtures.FEE


def test_the_influencer_analytics_query_count_does_not_grow(
    client, brand, owner, creator, django_assert_max_num_queries
):
    delivered(brand, owner, creator, paid=True)
    client.force_login(creator.user)
    with django_assert_max_num_queries(9):
        client.get(analytics_url())
    for _ in range(3):
        delivered(brand, owner, creator, paid=True)
    with django_assert_max_num_queries(9):
        response = client.get(analytics_url())
    assert len(response.context["report"].reposts) == 4


def test_a_brand_user_cannot_open_the_influencer_analytics(client, owner):
    client.force_login(owner)
    assert client.get(analytics_url()).status_code == 403


# --- The public profile -------------------------------------------------------------------------


def public_url(profile):
    return reverse("collaborations:public_profile", args=[profile.slug])


def test_a_new_influencer_shows_new_and_no_chart(client, creator):
    html = client.get(public_url(creator)).content.decode()
    assert "badge-new" in html and 'id="reputation-chart"' not in html
    assert "No completed collaboration yet" in html


def test_the_public_profile_charts_the_reputation_and_lists_delivered_reach(client, brand, owner, creator):
    delivered(brand, owner, creator, impressions=1234)
    delivered(brand, owner, creator, impressions=2000)

    response = client.get(public_url(creator))

    html = response.content.decode()
    assert 'id="reputation-chart"' in html and html.count('class="rep-dot"') == 2
    assert "<polyline" in html and "1,234" in html and "2,000" in html
    assert brand.name not in html  # the brands are not named, not even in the chart's labels
    assert "(a collaboration completed)" in html
    assert "2 delivered" in html


def test_a_miss_before_any_delivery_keeps_new_and_says_so(client, brand, owner, creator):
    from apps.collaborations.models import Collaboration
    from apps.collaborations.services import collaborations_miss_overdue

    collaboration = collaboration_for(brand, owner, creator, brand_post(brand))
    Collaboration.objects.filter(pk=collaboration.pk).update(
        repost_due_at=timezone.now() - timedelta(minutes=1)
    )
    collaborations_miss_overdue()
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.MISSED

    html = client.get(public_url(creator)).content.decode()
    assert "badge-new" in html and "1 missed repost so far" in html


def test_the_public_profile_query_count_does_not_grow_with_collaborations(
    client, brand, owner, creator, django_assert_max_num_queries
):
    delivered(brand, owner, creator)
    with django_assert_max_num_queries(5):
        client.get(public_url(creator))
    for _ in range(3):
        delivered(brand, owner, creator)
    with django_assert_max_num_queries(5):
        response = client.get(public_url(creator))
    assert response.content.decode().count('class="rep-dot"') == 4


# --- The collaboration page both sides share -----------------------------------------------------


def test_the_brand_sees_reach_multiplier_and_roi_on_the_collaboration(client, brand, owner, creator):
    done = delivered(brand, owner, creator)
    client.force_login(owner)
    html = client.get(reverse("collaborations:collaboration_detail", args=[done.pk])).content.decode()
    assert 'id="collaboration-result"' in html and 'id="result-multiplier"' in html
    assert "1.80×" in html and "0.19×" in html and 'id="result-reaction"' not in html


def test_the_influencer_sees_audience_reaction_not_the_brands_roi(client, brand, owner, creator):
    creator.engagement_rate = 0.0525
    creator.save(update_fields=["engagement_rate"])
    measured = delivered(brand, owner, creator, final=False)
    client.force_login(creator.user)
    html = client.get(reverse("collaborations:collaboration_detail", args=[measured.pk])).content.decode()
    assert 'id="result-reaction"' in html and "1.00× your own average" in html  # 42 / 800 = 5.25%
    assert 'id="result-roi"' not in html and "Measuring" in html


def test_a_collaboration_not_measured_yet_shows_no_result(client, brand, owner, creator):
    started = collaboration_for(brand, owner, creator, brand_post(brand))
    client.force_login(owner)
    html = client.get(reverse("collaborations:collaboration_detail", args=[started.pk])).content.decode()
    assert 'id="collaboration-result"' not in html
