"""Brand portal pages (namespace "brands", mounted at /brand/): dashboard, onboarding, settings, members."""

from django.urls import path

from apps.brands.views import brand as views

app_name = "brands"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.brand_create, name="create"),
    path("<int:brand_id>/switch/", views.brand_switch, name="switch"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    # The onboarding wizard: one screen per step, then a summary.
    path("<int:brand_id>/onboarding/", views.onboarding, name="onboarding"),
    path("<int:brand_id>/onboarding/done/", views.onboarding_done, name="onboarding_done"),
    path("<int:brand_id>/onboarding/<int:step>/", views.onboarding_step, name="onboarding_step"),
    path("<int:brand_id>/logo/", views.brand_logo, name="logo"),
    path("<int:brand_id>/logo/colors/", views.logo_colors, name="logo_colors"),
    # Settings: every part of the profile, linked accounts, deleting the brand.
    path("<int:brand_id>/settings/", views.brand_settings, name="settings"),
    path("<int:brand_id>/settings/delete/", views.brand_delete, name="delete"),
    path("<int:brand_id>/settings/approvals/", views.brand_approvals, name="approvals"),
    path("<int:brand_id>/settings/<slug:section>/", views.settings_section, name="settings_section"),
    # Members and invitations.
    path("<int:brand_id>/members/", views.members, name="members"),
    path("<int:brand_id>/members/invite/", views.member_invite, name="member_invite"),
    path("<int:brand_id>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("<int:brand_id>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "<int:brand_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
