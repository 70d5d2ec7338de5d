"""API: the signed-in user's notifications."""

from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors, services
from .schemas import NotificationOut, ReadAllOut

router = Router(tags=["notifications"])


@router.get("", response=list[NotificationOut])
@paginate(LimitOffsetPagination)
def notification_list(request, unread: bool = False):
    return selectors.notification_list(user=request.auth, unread_only=unread)


@router.post("/read-all", response=ReadAllOut)
def notification_read_all(request):
    return {"marked_read": services.notification_mark_all_read(user=request.auth)}


@router.post("/{notification_id}/read", response=NotificationOut)
def notification_read(request, notification_id: int):
    notification = selectors.notification_get(user=request.auth, notification_id=notification_id)
    return services.notification_mark_read(notification=notification)
