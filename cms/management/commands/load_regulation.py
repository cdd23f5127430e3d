"""Build the public site: the home page as the site root, the rules as a regulation page (from
cms/data/gansu-registry-rules.zh.txt), a notice and the provinces' query-service directory.

Idempotent: a page that exists is left as editors made it (nothing is saved, no revision is
written); ``--refresh`` rewrites the regulation's text from the file as a new revision. Missing
provinces are added to the directory without touching the URLs editors filled in.
"""

import csv
import datetime
import html

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from cms.models import HomePage, NoticePage, QueryServiceDirectoryPage, RegulationPage
from cms.regulation import load_rules, stream_data

PROVINCES_FILE = settings.BASE_DIR / "cms" / "data" / "provinces.csv"

HOME_INTRO = ("<p>甘肃省中小学生学籍管理公共服务:学籍管理细则全文、证书核验、学籍状态查询和各省学籍查询服务目录。</p>")
REGULATION_INTRO = ("<p>以下条文录自甘肃省中小学生学籍管理细则原文,"
                    "每条注明本系统中依据该条办理的学籍变动业务。</p>")
DIRECTORY_INTRO = ("<p>学生在外省就读或转学时,可通过就读地省级教育行政部门公布的学籍查询服务查询。"
                   "网址由管理员核实后填写,标注“待补充”的尚未核实。</p>")
NOTICE_TITLE = "学籍管理公共服务上线"
NOTICE_BODY = ("<p>本站提供甘肃省中小学生学籍管理细则全文查阅、学籍证书核验和学籍状态查询。"
               "学籍信息非经学籍主管部门书面批准一律不向外提供(第三十八条),状态查询只显示必要信息。</p>")


def provinces():
    with open(PROVINCES_FILE, encoding="utf-8") as handle:
        return [(row["code"], row["name"]) for row in csv.DictReader(handle)]


class Command(BaseCommand):
    help = "创建(或补全)公共站点页面:首页、学籍管理细则、通知公告、各省学籍查询服务目录"

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="按 cms/data 中的原文重写细则正文(新版本)")

    @transaction.atomic
    def handle(self, *args, refresh=False, **options):
        self.changes = []
        home = self.home_page()
        self.regulation_page(home, refresh)
        self.notice_page(home)
        self.directory_page(home)
        if self.changes:
            for change in self.changes:
                self.stdout.write(change)
        else:
            self.stdout.write("公共站点页面已是最新,无改动")

    # --- pages ------------------------------------------------------------------------------
    def home_page(self):
        home = HomePage.objects.first()
        root = Page.get_first_root_node()
        if home is None:
            # Beside Wagtail's "Welcome to your new Wagtail site!" page (slug "home") for now.
            slug = "home" if not root.get_children().filter(slug="home").exists() else "xueji-home"
            home = root.add_child(instance=HomePage(title="甘肃省中小学生学籍管理", slug=slug, intro=HOME_INTRO))
            self.changes.append(f"创建首页 {home.title}")
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                                site_name=settings.WAGTAIL_SITE_NAME)
            self.changes.append("创建默认站点")
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save(update_fields=["root_page"])
            self.changes.append("默认站点根页面设为首页")
        # Only now (a Site's root page is deleted with its site): the welcome page goes, when it
        # is still Wagtail's plain Page with nothing under it, and the home page takes its slug.
        for welcome in root.get_children().filter(slug="home", content_type__app_label="wagtailcore",
                                                  content_type__model="page"):
            if not welcome.get_children().exists() and not Site.objects.filter(root_page=welcome).exists():
                welcome.delete()
                self.changes.append("删除 Wagtail 默认欢迎页")
        if home.slug != "home" and not root.get_children().filter(slug="home").exists():
            home.slug = "home"
            home.save()
        return home

    def regulation_page(self, home, refresh):
        regulation = load_rules()
        body = stream_data(regulation)
        appendix = "".join(f"<p>{html.escape(line)}</p>" for line in regulation.appendix)
        page = RegulationPage.objects.child_of(home).filter(slug="regulation").first()
        if page is None:
            page = RegulationPage(title=regulation.title, slug="regulation", intro=REGULATION_INTRO, body=body,
                                  appendix=f"<h2>{html.escape(regulation.appendix_title)}</h2>{appendix}")
            home.add_child(instance=page)
            page.save_revision().publish()
            self.changes.append(f"创建细则页面:{len(regulation.articles())} 条")
        elif refresh and page.body.raw_data != body:
            page.body = body
            page.save_revision().publish()
            self.changes.append("按原文更新细则正文")
        return page

    def notice_page(self, home):
        if NoticePage.objects.child_of(home).filter(slug="launch").exists():
            return
        page = NoticePage(title=NOTICE_TITLE, slug="launch", date=datetime.date.today(), body=NOTICE_BODY)
        home.add_child(instance=page)
        page.save_revision().publish()
        self.changes.append("创建通知公告")

    def directory_page(self, home):
        page = QueryServiceDirectoryPage.objects.child_of(home).first()
        if page is None:
            page = QueryServiceDirectoryPage(
                title="各省学籍查询服务", slug="query-services", intro=DIRECTORY_INTRO,
                services=[{"type": "province", "value": {"code": code, "name": name, "url": ""}}
                          for code, name in provinces()],
            )
            home.add_child(instance=page)
            page.save_revision().publish()
            self.changes.append("创建各省学籍查询服务目录(31 个省级行政区,网址待补充)")
            return page
        present = {block.value["code"] for block in page.services}
        missing = [(code, name) for code, name in provinces() if code not in present]
        if missing:
            raw = list(page.services.raw_data) + [
                {"type": "province", "value": {"code": code, "name": name, "url": ""}} for code, name in missing]
            page.services = raw
            page.save_revision().publish()
            self.changes.append(f"目录补充 {len(missing)} 个省级行政区")
        return page
