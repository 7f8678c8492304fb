"""Pages of the reference app."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    return render(request, "web/home.html", {"environment": settings.HAVEN_ENVIRONMENT})


@never_cache
@require_safe
def health(request):
    """Answers 200 whenever the app serves, so the load balancer keeps an
    instance whose database is failing over; the body says whether the
    database answers, for people and dashboards."""
    database = "ok" if database_answers() else "unavailable"

    return JsonResponse({"status": "ok", "database": database})


def database_answers() -> bool:
    timeout_ms = int(settings.HAVEN_HEALTH_QUERY_TIMEOUT_MS)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # SET LOCAL ends with the transaction, so the bound applies to
            # this check only and never to the app's own queries.
            cursor.execute(f"SET LOCAL statement_timeout = {timeout_ms}")
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("database check failed: %s", error.__class__.__name__, exc_info=True)
        return False

    return True
