"""The Learning page of a brand (/brand/<id>/learning/): what the model learned, in words, and a
"Train now" button that runs the weekly training at once."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user

from . import selectors_learning, training


@brand_user_required
def learning(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    page = selectors_learning.learning_page_get(brand=brand)
    return render(request, "analytics/learning.html", {"brand": brand, "page": page, "active": "learning"})


@brand_user_required
@require_POST
def learning_train(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    run = training.policy_train(brand=brand)
    if run.status == "trained":
        messages.success(request, f"Trained on {run.posts_used} posts. The next posts use what it learned.")
    else:
        messages.info(request, f"Training skipped. {run.reason}")
    return redirect("learning:page", brand_id=brand.pk)


@brand_user_required
def learning_current(request):
    """The nav's "Learning": the Learning page of the brand this session works on."""
    from apps.brands.views import current_brand

    brand = current_brand(request)
    if brand is None:
        return redirect("brands:dashboard")
    return redirect("learning:page", brand_id=brand.pk)
