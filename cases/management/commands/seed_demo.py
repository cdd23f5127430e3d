"""``manage.py seed_demo``: a demo province on an empty database (the builder is cases/demo.py)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from cases import demo
from cases.errors import rule_errors
from cases.models import (
    AuxiliaryNumber,
    Registration,
    RegistrationStatus,
    School,
    SchoolClass,
    StaffProfile,
    Student,
    Supervision,
)


class Command(BaseCommand):
    help = ("在空库上生成演示数据:全省 14 个市(州)、88 个县(市、区)的约 300 所学校、班级、"
            "约两万名学生(含休学、辍学、转学、毕业)、各级学籍工作人员,以及演示学校一天的工作"
            "(各种状态的学籍变动案卷、学生证及其打印任务)。同一种子生成相同的数据。")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子(默认 %(default)s)")
        parser.add_argument("--students", type=int, default=demo.DEFAULT_STUDENTS,
                            help=f"学生总数(默认 %(default)s,至少 {demo.MIN_STUDENTS})")
        parser.add_argument("--password", default=demo.DEFAULT_PASSWORD,
                            help="所有演示账号的密码(默认 %(default)s)")
        parser.add_argument("--logins-only", action="store_true", help="不生成数据,只列出已生成的演示账号")

    def handle(self, *args, seed, students, password, logins_only, **options):
        if logins_only:
            logins = demo.demo_logins()
            if not logins:
                raise CommandError("尚未生成演示数据:请在空库上运行 seed_demo")
            self.print_logins(logins, f"密码默认为 {demo.DEFAULT_PASSWORD},生成时如用 --password 另设则以其为准")
            return
        if School.objects.exists():
            raise CommandError("数据库中已有学校数据,seed_demo 只能在空库上运行")
        if students < demo.MIN_STUDENTS:
            raise CommandError(f"学生人数至少为 {demo.MIN_STUDENTS}")
        plan = demo.plan(seed, students)
        usernames = ["admin"] + [member.username for member in plan.staff]
        taken = sorted(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True))
        if taken:
            raise CommandError(f"以下用户名已存在,seed_demo 只能在空库上运行:{','.join(taken[:5])}")

        self.stdout.write(f"生成演示数据:种子 {seed},学生 {students} 人,{plan.today:%Y-%m-%d}"
                          f"({plan.school_year}-{plan.school_year + 1} 学年)")
        try:
            result = demo.build(plan, password=password, log=self.stdout.write)
        except ValidationError as error:
            raise CommandError("; ".join(e["message"] for e in rule_errors(error))) from error
        self.print_counts(result)
        self.print_logins(result.logins, f"密码均为 {password}")

    def print_counts(self, result):
        out = self.stdout.write
        out(self.style.SUCCESS(f"完成,用时 {result.seconds:.1f} 秒。"))
        if result.townships_created:
            out(f"乡镇(街道):导入 {result.townships_created} 个")
        supervision = dict(School.objects.values_list("supervision").annotate(n=Count("id")))
        out(f"学校:{School.objects.count()} 所(" + ",".join(
            f"{label} {supervision.get(value, 0)}" for value, label in Supervision.choices) + ")")
        out(f"班级:{SchoolClass.objects.count()} 个")
        out(f"学生:{Student.objects.count()} 人")
        statuses = dict(Registration.objects.values_list("status").annotate(n=Count("id")))
        out("学籍:" + ",".join(
            f"{label} {statuses[value]}" for value, label in RegistrationStatus.choices if statuses.get(value)))
        live = AuxiliaryNumber.objects.filter(cancelled_at__isnull=True).count()
        out(f"学籍辅号:有效 {live},已注销 {AuxiliaryNumber.objects.count() - live}")
        out(f"学籍工作人员:{StaffProfile.objects.count()} 人")

    def print_logins(self, logins, password_note):
        self.stdout.write("")
        self.stdout.write(f"演示账号({password_note}):")
        width = max(len(username) for username, _, _ in logins)
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<{width}}  {unit} {role}")
