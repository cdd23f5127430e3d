"""The public site's two services: certificate verification and the status lookup.

Thin views: the answers (and what they may disclose) are decided in cases/services/public.py.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.edge import problem
from cases.ratelimit import client_ip
from cases.services.public import certificate_verify, student_status_lookup


@never_cache
@require_http_methods(["GET", "HEAD"])
def verify(request):
    serial, code = request.GET.get("serial", ""), request.GET.get("code", "")
    result = certificate_verify(serial, code) if (serial or code) else None
    return render(request, "public/verify.html", {"result": result})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    result, error = None, ""
    if request.method == "POST":
        name, id_number = request.POST.get("name", "").strip(), request.POST.get("id_number", "").strip()
        found = problem(name, "学生姓名", max_text=100) or problem(id_number, "公民身份号码", max_text=100)
        if found:
            error = found[1]  # refused at the edge, before any look-up or count
        elif not name or not id_number:
            error = "请填写学生姓名和公民身份号码"
        else:
            result = student_status_lookup(ip=client_ip(request), name=name, id_number=id_number)
    status = 429 if result is not None and result.outcome == "limited" else 200
    # The form is never refilled: the page must not echo the ID number back.
    return render(request, "public/lookup.html", {"result": result, "error": error}, status=status)


@require_http_methods(["GET", "HEAD"])
def search(request):
    """Wagtail's search over the site's live, public pages (cms/search.py segments Chinese)."""
    from cms.search import search_pages

    query = request.GET.get("q", "").strip()[:100]
    found = problem(query, "搜索词")
    if found:  # a control character would reach the full-text engine's query parser
        return render(request, "cms/search.html", {"search_query": "", "results": [], "error": found[1]})
    results = list(search_pages(query)[:50]) if query else []
    return render(request, "cms/search.html", {"search_query": query, "results": results})
