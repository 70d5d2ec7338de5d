"""The starting industries (operators add more in the admin), and the sandbox account that every
brand has from the start, for brands made before it existed."""

from django.db import migrations

INDUSTRIES = [
    ("fintech", "Fintech", "Payments, banking, lending, insurance, crypto, personal finance and financial software.", 10),
    ("tech", "Tech", "Software, SaaS, AI, developer tools, cloud, hardware, cybersecurity and startups.", 20),
    ("education", "Education", "Schools, universities, online learning, edtech, training and skills.", 30),
    ("other", "Other", "Any other field; trends are matched on the brand's pillars and audience alone.", 90),
]


def seed(apps, schema_editor):
    Industry = apps.get_model("brands", "Industry")
    for slug, name, description, order in INDUSTRIES:
        Industry.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )


def sandbox_for_existing_brands(apps, schema_editor):
    Brand = apps.get_model("brands", "Brand")
    SocialConnection = apps.get_model("brands", "SocialConnection")
    for brand in Brand.objects.exclude(connections__platform="sandbox"):
        SocialConnection.objects.create(
            brand=brand, platform="sandbox", handle=brand.slug, display_name=f"{brand.name} (sandbox)"
        )


class Migration(migrations.Migration):
    dependencies = [("brands", "0002_brand_profile_invitations_connections")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(sandbox_for_existing_brands, migrations.RunPython.noop),
    ]
