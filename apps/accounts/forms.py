"""Account forms: the role question at sign-up, profile and API token forms."""

from django import forms

from apps.core.zones import timezone_choices

from .models import Role, User


class RoleSignupForm(forms.Form):
    """Extra sign-up field for allauth. The adapter saves the role with the user."""

    role = forms.ChoiceField(
        choices=Role.choices,
        widget=forms.RadioSelect,
        label="I am signing up as",
        error_messages={"required": "Choose Brand or Influencer."},
    )

    field_order = ["email", "role", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        """Called by allauth after the user is saved; the role was already set by the adapter."""


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, required=False, label="Display name")
    email_notifications = forms.BooleanField(
        required=False, label="Email me each notification as well as showing it here"
    )
    timezone = forms.ChoiceField(
        choices=timezone_choices,
        required=False,  # left out: unchanged
        label="Time zone",
        help_text="Times are shown in this zone. On a brand's pages they are in the brand's zone.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Token name",
        help_text="For example the script or tool that will use it.",
        error_messages={"required": "Give the token a name, so you can recognise it later."},
    )
