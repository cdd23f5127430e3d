"""The public site's pages (issue 5, "policy pages"): the home page, the rules as a regulation
page (chapters → sections → articles, each article with a stable anchor), notices, and the
directory of the provinces' student-status query services.

The link between articles and case types is not stored here: which case types cite an article
is computed from ``cases.case_types.CASE_TYPES[…].articles`` (see ``cms/regulation.py``).
"""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.search import segment

ANCHOR_VALIDATOR = RegexValidator(r"^[a-z][a-z0-9-]*$", _("锚点只能由小写字母、数字和连字符组成,且以字母开头"))


# --- blocks --------------------------------------------------------------------------------
class ArticleBlock(blocks.StructBlock):
    number = blocks.CharBlock(label=_("条号"), max_length=16, help_text=_("如:第二十二条"))
    anchor = blocks.CharBlock(label=_("锚点"), max_length=32, validators=[ANCHOR_VALIDATOR],
                              help_text=_("稳定的页内链接,如 art-22;发布后请勿修改"))
    body = blocks.RichTextBlock(label=_("条文"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        label = _("条")
        icon = "doc-full"


class SectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("节标题"), required=False, max_length=64,
                             help_text=_("如:第二节 转学;不分节的章留空"))
    articles = blocks.ListBlock(ArticleBlock(), label=_("条"))

    class Meta:
        label = _("节")
        icon = "list-ul"


class ChapterBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("章标题"), max_length=64, help_text=_("如:第一章 总则"))
    sections = blocks.ListBlock(SectionBlock(), label=_("节"))

    class Meta:
        label = _("章")
        icon = "folder-open-inverse"


class QueryServiceBlock(blocks.StructBlock):
    code = blocks.CharBlock(label=_("省级行政区划代码"), max_length=2)
    name = blocks.CharBlock(label=_("名称"), max_length=32)
    url = blocks.URLBlock(label=_("查询服务网址"), required=False,
                          help_text=_("请填写该省教育行政部门公布的官方网址;未核实前留空"))

    class Meta:
        label = _("省级查询服务")
        icon = "link"


# --- pages ---------------------------------------------------------------------------------
class SegmentedSearchMixin:
    """Chinese has no spaces, so full-text backends see a whole sentence as one word. Pages
    index ``search_text`` with every CJK character as its own token; the search view asks for
    the query's characters as a phrase (cms/search.py)."""

    def plain_text(self):
        return ""

    def search_text(self):
        return segment(f"{self.title} {self.plain_text()}")


class HomePage(SegmentedSearchMixin, Page):
    intro = RichTextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("search_text")]
    subpage_types = ["cms.RegulationPage", "cms.NoticePage", "cms.QueryServiceDirectoryPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().specific()
        context["sections"] = [p for p in children if not isinstance(p, NoticePage)]
        context["notices"] = NoticePage.objects.live().descendant_of(self).order_by("-date", "-id")[:5]
        return context


class RegulationPage(SegmentedSearchMixin, Page):
    intro = RichTextField(_("说明"), blank=True)
    body = StreamField([("chapter", ChapterBlock())], verbose_name=_("正文"), blank=True)
    appendix = RichTextField(_("附录"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body"), FieldPanel("appendix")]
    search_fields = Page.search_fields + [index.SearchField("search_text")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("法规页面")

    def articles(self):
        """Every article in order, as (chapter title, section title, article value)."""
        for chapter in self.body:
            for section in chapter.value["sections"]:
                for article in section["articles"]:
                    yield chapter.value["title"], section["title"], article

    def anchor_for(self, number):
        for _chapter, _section, article in self.articles():
            if article["number"] == number:
                return article["anchor"]
        return None

    def plain_text(self):
        parts = []
        for chapter, section, article in self.articles():
            parts += [article["number"], strip_tags(article["body"].source)]
        return " ".join(parts)

    def get_context(self, request, *args, **kwargs):
        from cms.regulation import outline

        context = super().get_context(request, *args, **kwargs)
        context["outline"] = outline(self)
        return context


class NoticePage(SegmentedSearchMixin, Page):
    date = models.DateField(_("发布日期"))
    body = RichTextField(_("正文"))

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("search_text"), index.FilterField("date")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("通知公告")

    def plain_text(self):
        return strip_tags(self.body)


class QueryServiceDirectoryPage(SegmentedSearchMixin, Page):
    intro = RichTextField(_("说明"), blank=True)
    services = StreamField([("province", QueryServiceBlock())], verbose_name=_("各省查询服务"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("services")]
    search_fields = Page.search_fields + [index.SearchField("search_text")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("各省学籍查询服务")

    def plain_text(self):
        return " ".join(block.value["name"] for block in self.services)


def strip_tags(html):
    return re.sub(r"<[^>]+>", " ", html or "")
