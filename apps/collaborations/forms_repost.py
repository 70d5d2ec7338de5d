"""The Repost card's two forms: repost now through a linked account, or give the address of a post."""

from django import forms

from apps.core.vocabulary import platform_label


class RepostNowForm(forms.Form):
    account = forms.TypedChoiceField(
        label="From", coerce=int, error_messages={"required": "Choose the account to repost from."}
    )
    text = forms.CharField(
        label="Your words",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown above the brand's post (a quote on X, a reshare's commentary on LinkedIn).",
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [
            (a.pk, f"{platform_label(a.platform)} @{a.handle.lstrip('@')}") for a in accounts
        ]
        if len(accounts) == 1 and not self.is_bound:
            self.initial["account"] = accounts[0].pk


# What an address of the offer's platform looks like, shown in the empty field.
URL_PLACEHOLDERS = {
    "x": "https://x.com/you/status/…",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:share:…",
    "sandbox": "The address of your Sandbox post (…/sandbox/r/…)",
}


class RepostUrlForm(forms.Form):
    url = forms.CharField(
        label="Address of your post",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://x.com/you/status/…", "inputmode": "url"}),
        error_messages={"required": "Paste the address of your post."},
    )

    def __init__(self, *args, platform: str = "x", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs["placeholder"] = URL_PLACEHOLDERS.get(platform, URL_PLACEHOLDERS["x"])
