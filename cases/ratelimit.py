"""Fixed-window counters in the Django cache, shared by every worker when the cache is shared
(Redis in production, cms/settings/production.py); a per-process cache would let each worker
count on its own."""

from django.core.cache import cache


def hit(key, period):
    """Count one event under ``key`` in a window of ``period`` seconds; the count so far."""
    cache.add(key, 0, period)  # starts the window only if none is running
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, period)
        return 1


def count(key):
    """The count of a running window without adding to it (0 when none is running)."""
    return cache.get(key) or 0


def over_limit(key, limit, period):
    """Count one attempt; True once more than ``limit`` attempts fell in the window."""
    return hit(key, period) > limit


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and a forged header would let anyone escape a per-IP limit. Behind a proxy, the
    # proxy must set REMOTE_ADDR (gunicorn --forwarded-allow-ips, or the proxy protocol).
    return request.META.get("REMOTE_ADDR") or ""
