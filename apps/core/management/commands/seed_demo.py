"""Idempotent demo data: a brand user with a brand, an influencer and a staff user, each with a
welcome notification. Later features add their own demo data through DEMO_SEEDERS."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Role, User
from apps.brands.models import Brand, BrandMembership, MembershipRole
from apps.notifications.models import Notification
from apps.notifications.services import notification_create

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    {"email": "brand@demo.socialmedai.local", "role": Role.BRAND, "display_name": "Dana (Northwind)"},
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
    stdout.write(f"{'created' if created else 'kept'} brand {brand.name}")
    return brand


def seed_welcome_notifications(stdout, users: dict[str, User]) -> None:
    for user in users.values():
        title, body = WELCOME[user.role]
        if not Notification.objects.filter(user=user, title=title).exists():
            notification_create(user=user, title=title, body=body, url="/portal/")
            stdout.write(f"notified {user.email}")


class Command(BaseCommand):
    help = "Load demo data (safe to run again: nothing is duplicated)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = seed_users(self.stdout)
        seed_brand(self.stdout, users)
        seed_welcome_notifications(self.stdout, users)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']:<38} {spec['role'] or 'staff'}")
