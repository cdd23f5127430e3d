"""Every step has a due date in working days (第二十五条); late steps show to the late unit and
to its superiors, and to no one else."""

import datetime

from django.utils import timezone

from cases.calendar import add_working_days
from cases.models import Jurisdiction
from cases.services.cases import case_submit
from cases.workflow import current_step, task_states_awaiting, task_states_overdue
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case


def test_each_step_is_due_ten_working_days_after_it_starts_and_overdue_shows_upwards(world):
    origin = SchoolFactory(category="1")
    registration = register_student(school_class=SchoolClassFactory(school=origin, stage="junior", cohort=2024),
                                    stage="junior")
    destination = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502"))
    target = SchoolClassFactory(school=destination, stage="junior", cohort=2024)
    case, submitter = open_case(world, case_type="transfer", school=origin, student=registration.student,
                                transfer_scope="within", destination_school=destination, reason="other",
                                evidence=["transfer_application"], details={"destination_class": target.pk})
    case = case_submit(acting_user=submitter, case=case)
    step = current_step(case)
    assert step.due_on == add_working_days(timezone.localdate(), 10)
    late_day = step.due_on + datetime.timedelta(days=1)

    destination_user = world.school_user(destination)
    assert list(task_states_awaiting(destination_user)) == [step]
    assert list(task_states_awaiting(submitter)) == []
    # Not late on the due date itself.
    assert not task_states_overdue(destination_user, today=step.due_on).exists()
    # Late the day after: the late school and every unit above it see it …
    for user in (destination_user, world.authority_user(Jurisdiction.objects.get(code="620502")),
                 world.authority_user(Jurisdiction.objects.get(code="6205")),
                 world.authority_user(Jurisdiction.objects.get(code="62"))):
        assert list(task_states_overdue(user, today=late_day)) == [step]
    # … and no one else: not the origin side, not another city.
    for user in (submitter, world.authority_user(Jurisdiction.objects.get(code="620102")),
                 world.authority_user(Jurisdiction.objects.get(code="6201"))):
        assert not task_states_overdue(user, today=late_day).exists()
