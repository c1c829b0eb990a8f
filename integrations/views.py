from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrations.models import DevInboxMessage

INBOX_LENGTH = 200


@require_GET
def dev_inbox(request: HttpRequest) -> HttpResponse:
    """Inkorg: what the development backends "sent" by SMS, e-mail and 1177 (DESIGN N3)."""
    # Decided per request, not in the URLconf, so a production process never
    # serves it whatever it imported; the 404 comes before the login redirect so
    # the page's existence is not told either.
    if not settings.DEBUG:
        raise Http404
    return _dev_inbox(request)


@login_required
def _dev_inbox(request: HttpRequest) -> HttpResponse:
    channels = DevInboxMessage.Channel
    chosen = request.GET.get("kanal", "")
    inbox = DevInboxMessage.objects.all()
    if chosen in channels.values:
        inbox = inbox.filter(channel=chosen)
    else:
        chosen = ""
    return render(request, "integrations/dev_inbox.html", {
        "inbox": inbox[:INBOX_LENGTH],
        "channels": channels.choices,
        "chosen": chosen,
    })
