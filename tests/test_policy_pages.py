"""Policy pages (issue 5): the rules as a regulation page with stable anchors, the articles'
case types computed from the case-type registry, site search, the provinces' directory."""

import re

import pytest
from django.core.management import call_command
from django.template import Context, Template
from wagtail.models import Page, PageLogEntry, Revision, Site

from cases.case_types import CASE_TYPES
from cms.models import HomePage, NoticePage, QueryServiceDirectoryPage, RegulationPage
from cms.regulation import anchor_for_number, article_url, chinese_to_int, load_rules

pytestmark = pytest.mark.django_db

NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def number(n):
    tens, units = divmod(n, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else NUMBERS[tens - 1] + "十")) + (NUMBERS[units - 1] if units else "")
    return f"第{text}条"


@pytest.fixture
def site(db):
    call_command("load_regulation", verbosity=0)
    return RegulationPage.objects.get()


def article_html(html, anchor):
    match = re.search(rf'<article class="article" id="{anchor}">(.*?)</article>', html, re.S)
    assert match, anchor
    return match.group(1)


def test_chinese_numbers_and_anchors():
    assert [chinese_to_int(x) for x in ["一", "十", "十一", "二十", "二十二", "四十"]] == [1, 10, 11, 20, 22, 40]
    assert anchor_for_number("第二十二条") == "art-22"
    assert [number(n) for n in (1, 10, 11, 22, 40)] == ["第一条", "第十条", "第十一条", "第二十二条", "第四十条"]


def test_load_regulation_parses_all_40_articles_in_order_with_stable_anchors(site):
    articles = [article for _c, _s, article in site.articles()]
    assert [a["number"] for a in articles] == [number(n) for n in range(1, 41)]
    assert [a["anchor"] for a in articles] == [f"art-{n}" for n in range(1, 41)]
    chapters = [chapter.value["title"] for chapter in site.body]
    assert chapters == ["第一章 总则", "第二章 学籍建立", "第三章 学籍变动管理", "第四章 毕业与结业", "第五章 保障措施"]
    sections = [s["title"] for s in site.body[2].value["sections"]]
    assert sections == ["第一节 一般变动", "第二节 转学", "第三节 休学与复学", "第四节 辍学与退学"]
    article_22 = dict((a["number"], a) for a in articles)["第二十二条"]
    assert "转入学校同意并签章" in article_22["body"].source
    # Part 三 of the source (the 16-digit legacy number) is the appendix; the web page's furniture is not.
    assert "学校类别(1位)" in site.appendix and "95%" not in site.appendix
    # The project copy of the rules is the one parsed.
    assert len(load_rules().articles()) == 40


def test_home_page_is_the_site_root_and_rerunning_changes_nothing(site):
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()  # Wagtail's welcome page is gone
    before = (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count(),
              list(Page.objects.order_by("pk").values_list("pk", "path", "latest_revision_id", "last_published_at")),
              RegulationPage.objects.values_list("body", flat=True).get())
    call_command("load_regulation", verbosity=0)
    after = (Page.objects.count(), Revision.objects.count(), PageLogEntry.objects.count(),
             list(Page.objects.order_by("pk").values_list("pk", "path", "latest_revision_id", "last_published_at")),
             RegulationPage.objects.values_list("body", flat=True).get())
    assert before == after
    assert NoticePage.objects.count() == 1 and QueryServiceDirectoryPage.objects.count() == 1


def test_rerunning_keeps_the_urls_editors_filled_in(site):
    directory = QueryServiceDirectoryPage.objects.get()
    raw = directory.services.raw_data
    raw[0]["value"]["url"] = "https://example.org/beijing"
    directory.services = list(raw)[:-1]  # and one province missing
    directory.save_revision().publish()
    call_command("load_regulation", verbosity=0)
    directory.refresh_from_db()
    values = [block.value for block in directory.services]
    assert len(values) == 31 and values[0]["url"] == "https://example.org/beijing"


def test_regulation_page_renders_every_article_with_its_anchor(client, site):
    response = client.get(site.url)
    assert response.status_code == 200
    html = response.content.decode()
    for n in range(1, 41):
        assert f'id="art-{n}"' in html
        assert f'href="#art-{n}">{number(n)}</a>' in html
    assert html.count('<article class="article"') == 40


def test_articles_list_the_case_types_that_cite_them(client, site):
    html = client.get(site.url).content.decode()
    transfer = CASE_TYPES["transfer"]
    for anchor in ("art-22", "art-26"):
        assert f'data-case-type="{transfer.code}">{transfer.name}<' in article_html(html, anchor)
    # Computed from the registry: every case type citing 第三十三条 is listed there.
    citing_33 = [t.code for t in CASE_TYPES.values() if "第三十三条" in t.articles]
    assert citing_33 and all(f'data-case-type="{code}"' in article_html(html, "art-33") for code in citing_33)
    # An article no case type cites lists none.
    cited = {n for t in CASE_TYPES.values() for n in t.articles}
    assert "第三十九条" not in cited
    uncited = article_html(html, "art-39")
    assert "data-case-type" not in uncited and 'class="none"' in uncited


def test_article_url_points_at_the_anchor(site):
    assert article_url("第二十二条") == f"{site.url}#art-22"
    rendered = Template('{% load regulation %}{% article_url "第二十六条" %}').render(Context({}))
    assert rendered == f"{site.url}#art-26"


def test_article_url_without_a_regulation_page_is_empty(db):
    assert article_url("第二十二条") == ""


def test_search_finds_the_regulation_by_a_word_in_it(client, site):
    response = client.get("/search/", {"q": "籍随人走"})
    assert response.status_code == 200
    assert site.url in response.content.decode() and site.title in response.content.decode()
    # Characters that are in the text but never adjacent do not make a phrase.
    assert site.title not in client.get("/search/", {"q": "籍走随人"}).content.decode()
    assert client.get("/search/").status_code == 200


def test_the_directory_lists_31_provinces_with_blank_urls_shown_as_pending(client, site):
    directory = QueryServiceDirectoryPage.objects.get()
    html = client.get(directory.url).content.decode()
    assert html.count("data-province=") == 31
    assert 'data-province="62"><span>甘肃省</span>' in html
    assert html.count("待补充") >= 31  # no URL was invented


@pytest.mark.parametrize("path", ["/", "/regulation/", "/query-services/", "/launch/", "/search/?q=转学",
                                  "/verify/", "/lookup/"])
def test_pages_render_with_a_viewport_meta(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.content.decode()


def test_the_case_editor_links_the_articles_of_its_case_type(client, site):
    from tests.case_types.helpers import World
    from tests.test_case_admin import create_through_admin, url
    from tests.factories import SchoolClassFactory, SchoolFactory, register_student
    from cases.models import Jurisdiction

    world = World()
    origin = SchoolFactory(category="1")
    registration = register_student(school_class=SchoolClassFactory(school=origin, stage="junior", cohort=2024),
                                    stage="junior")
    destination = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502"))
    SchoolClassFactory(school=destination, stage="junior", cohort=2024)  # the destination class (第十条)
    case = create_through_admin(client, world, registration, destination)
    html = client.get(url("edit", case.pk)).content.decode()
    for number in CASE_TYPES["transfer"].articles:
        assert f'href="{article_url(number)}"' in html
    assert f'href="{site.url}#art-22"' in html
