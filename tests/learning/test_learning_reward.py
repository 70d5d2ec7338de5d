"""The trend scorer's learned reward: the similarity-weighted mean reward of the brand's past posts
on similar trends (by embedding), / 5, and 0.5 where the brand has none."""

from types import SimpleNamespace

import numpy as np
import pytest

from apps.learning.policy import brand_past_rewards
from apps.trends.scoring import NEUTRAL_REWARD, SIMILAR_TREND_COSINE, learned_reward_matrix
from tests.learning.learning_factories import learning_brand, published, trend_with


def unit(*values):
    v = np.zeros(384, np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def test_learned_reward_is_the_similarity_weighted_mean_over_similar_past_posts_divided_by_5():
    trends = np.vstack([unit(1, 0, 0), unit(0, 0, 1)])
    past = SimpleNamespace(
        vectors=np.vstack([unit(1, 0, 0), unit(0.8, 0.6, 0), unit(0, 1, 0), unit(1, 0, 0)]).astype(
            np.float32
        ),
        rewards=np.array([4.0, 2.0, 5.0, 1.0], np.float32),
        brands=np.array([0, 0, 0, 2]),
    )
    reward = learned_reward_matrix(trends, past, n_brands=3)
    # Trend 0, brand 0: posts 0 (cos 1) and 1 (cos 0.8) count, post 2 (cos 0) does not.
    assert reward[0, 0] == pytest.approx((1 * 4.0 + 0.8 * 2.0) / 1.8 / 5)
    assert reward[0, 1] == NEUTRAL_REWARD  # brand 1 has no past post
    assert reward[0, 2] == pytest.approx(1.0 / 5)
    assert reward[1].tolist() == [NEUTRAL_REWARD] * 3  # nothing similar to trend 1
    assert SIMILAR_TREND_COSINE == 0.5


@pytest.mark.django_db
def test_brand_past_rewards_reads_each_brands_rewarded_posts_with_their_trend_embedding():
    a, b, c = learning_brand(), learning_brand(), learning_brand()
    phones = trend_with(vector=unit(1, 0, 0))
    banks = trend_with(vector=unit(0, 1, 0), category="markets")
    published(a, reward=4.0, trend=phones)
    published(a, reward=3.0, trend=banks)
    published(c, reward=1.0, trend=phones)
    published(c, reward=None, trend=phones)  # not fetched yet
    past = brand_past_rewards([a.pk, b.pk, c.pk])
    assert past.brands.tolist() == [0, 0, 2]
    assert sorted(past.rewards.tolist()[:2]) == [3.0, 4.0] and past.rewards[2] == 1.0
    new = np.vstack([unit(0.9, 0.1, 0)]).astype(np.float32)
    reward = learned_reward_matrix(new, past, n_brands=3)
    assert reward[0].tolist() == pytest.approx([4.0 / 5, 0.5, 1.0 / 5])
    assert brand_past_rewards([b.pk]) is None


@pytest.mark.django_db
def test_scoring_a_brand_uses_its_learned_reward(django_assert_max_num_queries):
    from apps.trends.models import BrandEmbedding, vector_to_bytes
    from apps.trends.services import brand_batch_build

    brand = learning_brand()
    for _ in range(3):
        published(brand, reward=5.0, trend=trend_with(vector=unit(1, 0, 0)))
    embedding = BrandEmbedding(brand=brand, vector=vector_to_bytes(unit(1, 0, 0)))
    with django_assert_max_num_queries(3):
        batch = brand_batch_build([brand], {brand.pk: embedding}, ["tech"])
    reward = learned_reward_matrix(np.vstack([unit(1, 0, 0)]).astype(np.float32), batch.past, 1)
    assert reward[0, 0] == pytest.approx(1.0)
