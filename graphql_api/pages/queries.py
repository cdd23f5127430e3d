"""Policy pages over GraphQL (public): the regulation with its articles, notices, the directory
of query services. Only live, public pages; anyone may read them, as on the site."""

import graphene
from wagtail.models import Page

from cms.models import NoticePage, QueryServiceDirectoryPage, RegulationPage
from cms.regulation import outline
from graphql_api.cases.types import CaseType


class Article(graphene.ObjectType):
    """一条条文:编号、稳定锚点、所在章节、正文,以及引用本条的学籍变动类型。"""

    number = graphene.String(required=True)
    anchor = graphene.String(required=True)
    url = graphene.String(required=True, description="页面地址加锚点")
    chapter = graphene.String(required=True)
    section = graphene.String(required=True)
    body_html = graphene.String(required=True)
    case_types = graphene.List(graphene.NonNull(CaseType), required=True)


class PolicyPage(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    url = graphene.String(required=True)
    kind = graphene.String(required=True, description="regulation / notice / directory / home")
    published_at = graphene.DateTime()


class Regulation(graphene.ObjectType):
    page = graphene.Field(PolicyPage, required=True)
    articles = graphene.List(graphene.NonNull(Article), required=True)


class Notice(graphene.ObjectType):
    page = graphene.Field(PolicyPage, required=True)
    date = graphene.Date(required=True)
    body_html = graphene.String(required=True)


class QueryService(graphene.ObjectType):
    province_code = graphene.String(required=True)
    name = graphene.String(required=True)
    url = graphene.String(description="空:待补充")


KINDS = {RegulationPage: "regulation", NoticePage: "notice", QueryServiceDirectoryPage: "directory"}


def _page(page):
    page = page.specific
    return PolicyPage(id=str(page.pk), title=page.title, url=page.url or "", kind=KINDS.get(type(page), "home"),
                      published_at=page.last_published_at)


def _visible(model):
    return model.objects.live().public().order_by("path")


class PageQueries(graphene.ObjectType):
    policy_pages = graphene.List(graphene.NonNull(PolicyPage), required=True, description="已发布的政策页面")
    regulation = graphene.Field(Regulation, slug=graphene.String(), description="法规页面(默认第一个)")
    notices = graphene.List(graphene.NonNull(Notice), required=True, first=graphene.Int(default_value=20))
    query_services = graphene.List(graphene.NonNull(QueryService), required=True, description="各省学籍查询服务")

    def resolve_policy_pages(root, info):
        return [_page(page) for page in Page.objects.live().public().filter(depth__gt=1).order_by("path")[:200]]

    def resolve_regulation(root, info, slug=None):
        pages = _visible(RegulationPage)
        page = (pages.filter(slug=slug) if slug else pages).first()
        if page is None:
            return None
        articles = [
            Article(number=a["number"], anchor=a["anchor"], url=f"{page.url}#{a['anchor']}", chapter=chapter["title"],
                    section=section["title"], body_html=str(a["body"]), case_types=a["case_types"])
            for chapter in outline(page) for section in chapter["sections"] for a in section["articles"]
        ]
        return Regulation(page=_page(page), articles=articles)

    def resolve_notices(root, info, first):
        return [Notice(page=_page(p), date=p.date, body_html=p.body)
                for p in _visible(NoticePage).order_by("-date")[:max(0, min(first, 100))]]

    def resolve_query_services(root, info):
        page = _visible(QueryServiceDirectoryPage).first()
        if page is None:
            return []
        return [QueryService(province_code=b.value["code"], name=b.value["name"], url=b.value.get("url") or None)
                for b in page.services]
