"""The trend categories: a trend gets the category with the description nearest to its embedding.

Each category is described by a few short sentences in the shape of the headlines it covers
(one long definition embeds poorly against a headline); a trend's category is the one holding the
single most similar sentence. Format fit (apps.trends.scoring.FORMAT_FIT) and the learning
state key on these slugs.
"""

from django.db import models


class TrendCategory(models.TextChoices):
    BREAKING = "breaking", "Breaking news & incidents"
    REGULATION = "regulation", "Regulation & policy"
    MARKETS = "markets", "Markets, funding & deals"
    PRODUCT = "product", "Product launches"
    RESEARCH = "research", "Research & data"
    HOW_TO = "how_to", "How-to & advice"
    OPINION = "opinion", "Debate & opinion"
    PEOPLE = "people", "People, careers & workplace"
    EVENTS = "events", "Events & moments"
    CULTURE = "culture", "Culture, entertainment & memes"


CATEGORY_DESCRIPTIONS: dict[str, list[str]] = {
    TrendCategory.BREAKING: [
        "Outage takes down a major service for hours",
        "Data breach exposes millions of customer records",
        "Ransomware attack hits a company's systems",
        "Fraud and scam losses surge as criminals target customers",
        "Company collapses or recalls its product after a failure",
    ],
    TrendCategory.REGULATION: [
        "Regulator publishes new rules companies must follow",
        "Government passes a law that changes the industry",
        "Central bank decision on interest rates",
        "Court ruling and fine against a company",
        "Compliance deadline approaches for new requirements",
    ],
    TrendCategory.MARKETS: [
        "Startup raises millions in a funding round led by investors",
        "Company acquires rival in a multi-billion deal",
        "Shares jump after quarterly earnings beat expectations",
        "IPO values the company at billions",
        "Firm becomes profitable for the first time",
    ],
    TrendCategory.PRODUCT: [
        "Company launches a new app feature for its customers",
        "New product release now available to users",
        "Firm unveils an AI assistant built into its service",
        "Partnership brings a new service to market",
    ],
    TrendCategory.RESEARCH: [
        "Survey of thousands finds most people do this",
        "New report shows numbers rose by 30 percent",
        "Study reveals surprising data about customers",
        "Index and statistics published for the year",
        "Researchers publish benchmark results",
        "Survey finds businesses wait longer on average, the data shows",
        "Poll of 2,000 adults: percentage who say they changed habits",
    ],
    TrendCategory.HOW_TO: [
        "5 ways to do it better: a practical guide",
        "How to get started, step by step",
        "Tips and best practices from experts",
        "Lessons learned and a checklist for teams",
    ],
    TrendCategory.OPINION: [
        "Is it worth it? The debate divides experts",
        "Critics warn the trend is going too far",
        "Why everyone is wrong about this, an opinion",
        "Backlash grows over a controversial decision",
        "Prediction: what the next five years will bring",
        "Is this making things worse? Questions grow",
        "Should companies stop doing it? Readers argue",
    ],
    TrendCategory.PEOPLE: [
        "Companies are hiring again as demand for skills grows",
        "Layoffs hit thousands of workers",
        "New chief executive appointed to lead the company",
        "Remote work and workplace culture change for employees",
        "Teachers and staff shortages hit the sector",
    ],
    TrendCategory.EVENTS: [
        "Conference opens with record attendance and keynote speakers",
        "Annual awards ceremony names this year's winners",
        "Holiday season shopping weekend begins",
        "Summit brings leaders together this week",
    ],
    TrendCategory.CULTURE: [
        "Viral video takes over social media",
        "Meme of the week everyone is sharing",
        "Celebrity announces a world tour and fans react",
        "Big match result and sports fans celebrate",
        "New film and music release tops the charts",
    ],
}
