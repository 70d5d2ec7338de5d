"""The learning loop: the reward ledger, the brand policy models, weekly Q-learning and the bandit."""
