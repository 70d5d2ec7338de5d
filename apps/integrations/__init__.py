"""Outside services (LLM, images, social networks, trend sources) behind small interfaces."""
