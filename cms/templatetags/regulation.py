"""{% load regulation %} … {% article_url "第二十二条" %} → /regulation/#art-22"""

from django import template

from cms import regulation

register = template.Library()


@register.simple_tag(takes_context=True)
def article_url(context, number):
    # One page lookup per render, however many articles a template links.
    cache = context.render_context
    if "xueji_regulation_page" not in cache:
        cache["xueji_regulation_page"] = regulation.regulation_page()
    page = cache["xueji_regulation_page"]
    return regulation.article_url(number, page=page) if page else ""
