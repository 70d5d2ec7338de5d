"""Two dozen industries instead of four, each described in the words of the headlines it covers
(the trend job tags a trend with every industry whose "name: description" embeds close to it).
The old four keep their slugs (and the first three their names and descriptions), so brands that
picked them keep their industry and their scores; "Other" stays the choice for brands that
describe their own, last in the list."""

from django.db import migrations

INDUSTRIES = [
    # The first three keep the names and descriptions brands chose them by: their profile
    # embeddings and the trends tagged with them stay as they were.
    (
        "fintech",
        "Fintech",
        "Payments, banking, lending, insurance, crypto, personal finance and financial software.",
    ),
    ("tech", "Tech", "Software, SaaS, AI, developer tools, cloud, hardware, cybersecurity and startups."),
    ("education", "Education", "Schools, universities, online learning, edtech, training and skills."),
    (
        "healthcare",
        "Healthcare & medical",
        "Hospitals, doctors and nurses, patients, medicines, pharma, biotech, medical devices and health insurance.",
    ),
    (
        "wellness",
        "Health, fitness & wellness",
        "Gyms, fitness, nutrition, sleep, mental health, yoga and wellbeing products and apps.",
    ),
    (
        "food-beverage",
        "Food & beverage",
        "Food and drink brands, coffee and tea, beer and wine, snacks, groceries, ingredient prices and food safety.",
    ),
    (
        "hospitality",
        "Restaurants & hospitality",
        "Restaurants, cafés, bars, hotels, catering, delivery apps, chefs and diners.",
    ),
    (
        "retail",
        "Retail & e-commerce",
        "Shops and online stores, shoppers, consumer spending, sales seasons, marketplaces, delivery and returns.",
    ),
    (
        "fashion-beauty",
        "Fashion & beauty",
        "Clothing, shoes, luxury brands, cosmetics, skincare, fashion weeks and style trends.",
    ),
    (
        "travel",
        "Travel & tourism",
        "Airlines, airports, hotels, holidays, tourism, travel bookings, flights and destinations.",
    ),
    (
        "real-estate",
        "Real estate & property",
        "Housing, homes, rents and mortgages, property prices, commercial property, landlords and estate agents.",
    ),
    (
        "construction",
        "Construction & architecture",
        "Building, construction sites, architects, infrastructure projects, building materials and planning rules.",
    ),
    (
        "manufacturing",
        "Manufacturing & industry",
        "Factories, industrial production, supply chains, machinery, chips and components, tariffs on goods.",
    ),
    (
        "automotive",
        "Automotive & mobility",
        "Cars, electric vehicles, carmakers, batteries, charging, ride-hailing, bikes and scooters.",
    ),
    (
        "logistics",
        "Logistics & transport",
        "Shipping, freight, ports, trucking, warehouses, parcel delivery, rail and air cargo.",
    ),
    (
        "energy",
        "Energy & climate",
        "Electricity, oil and gas, renewables, solar and wind, power grids, energy prices, climate and emissions.",
    ),
    (
        "agriculture",
        "Agriculture & farming",
        "Farms and farmers, crops and harvests, livestock, fertiliser, food production and weather.",
    ),
    (
        "media",
        "Media & entertainment",
        "Film, TV, streaming, music, news publishers, podcasts, books, celebrities and creators.",
    ),
    (
        "gaming",
        "Gaming & esports",
        "Video games, consoles, game studios, esports tournaments, players and streamers.",
    ),
    (
        "sports",
        "Sports",
        "Football, tennis, athletics and other sports, clubs and leagues, matches, players, fans and sponsorship.",
    ),
    (
        "marketing",
        "Marketing & advertising",
        "Advertising, brands and campaigns, social media, influencers, marketing technology and agencies.",
    ),
    (
        "professional-services",
        "Consulting & professional services",
        "Consulting, accounting, auditing, business advice, outsourcing and B2B services.",
    ),
    (
        "legal",
        "Legal",
        "Law firms, lawyers, courts and rulings, regulation, compliance, contracts and legal technology.",
    ),
    (
        "hr",
        "HR & recruiting",
        "Hiring, jobs and recruitment, workplace culture, pay and benefits, remote work, layoffs and HR software.",
    ),
    (
        "nonprofit",
        "Nonprofit & public sector",
        "Charities, NGOs, fundraising, volunteering, government services, public policy and local councils.",
    ),
    (
        "other",
        "Other",
        "Any other field: describe yours, and trends are matched on your words, pillars and audience.",
    ),
]
OLD = {
    "fintech": (
        "Fintech",
        "Payments, banking, lending, insurance, crypto, personal finance and financial software.",
    ),
    "tech": ("Tech", "Software, SaaS, AI, developer tools, cloud, hardware, cybersecurity and startups."),
    "education": ("Education", "Schools, universities, online learning, edtech, training and skills."),
    "other": ("Other", "Any other field; trends are matched on the brand's pillars and audience alone."),
}


def seed(apps, schema_editor):
    Industry = apps.get_model("brands", "Industry")
    for order, (slug, name, description) in enumerate(INDUSTRIES, start=1):
        Industry.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "sort_order": 900 if slug == "other" else order * 10,
                "is_active": True,
            },
        )


def unseed(apps, schema_editor):
    Industry = apps.get_model("brands", "Industry")
    Brand = apps.get_model("brands", "Brand")
    other = Industry.objects.get(slug="other")
    new = [slug for slug, _, _ in INDUSTRIES if slug not in OLD]
    # Brands in an industry the old list did not have go back to Other, with its name as their words.
    for brand in Brand.objects.filter(industry__slug__in=new).select_related("industry"):
        brand.industry_description = brand.industry_description or brand.industry.name
        brand.industry = other
        brand.save(update_fields=["industry", "industry_description"])
    Industry.objects.filter(slug__in=new).delete()
    for order, (slug, (name, description)) in enumerate(OLD.items(), start=1):
        Industry.objects.filter(slug=slug).update(
            name=name, description=description, sort_order=90 if slug == "other" else order * 10
        )


class Migration(migrations.Migration):
    dependencies = [("brands", "0005_brand_industry_description")]

    operations = [migrations.RunPython(seed, unseed)]
