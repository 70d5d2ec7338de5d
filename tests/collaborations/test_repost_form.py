"""The address field of the repost card shows an address of the offer's platform."""

from apps.collaborations.forms_repost import URL_PLACEHOLDERS, RepostUrlForm


def test_the_address_placeholder_follows_the_offer_platform():
    assert "linkedin.com" in RepostUrlForm(platform="linkedin").fields["url"].widget.attrs["placeholder"]
    assert "x.com" in RepostUrlForm(platform="x").fields["url"].widget.attrs["placeholder"]
    assert (
        RepostUrlForm(platform="sandbox").fields["url"].widget.attrs["placeholder"]
        == URL_PLACEHOLDERS["sandbox"]
    )


def test_an_unknown_platform_falls_back_to_x_and_forms_do_not_share_widgets():
    first = RepostUrlForm(platform="linkedin")
    second = RepostUrlForm(platform="mastodon")
    assert second.fields["url"].widget.attrs["placeholder"] == URL_PLACEHOLDERS["x"]
    assert "linkedin.com" in first.fields["url"].widget.attrs["placeholder"]
