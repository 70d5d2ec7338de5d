"""Users with one role each (brand or influencer), allauth integration, personal API tokens."""
