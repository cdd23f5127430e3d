"""``changes(since:)``: the caller's scope only, oldest first, keyset pages of at most 100, the
same number of queries for a page of 5 and of 50."""

from django.utils import timezone

from cases.models import Role
from cases.services.registrations import registration_assign_class
from tests.factories import SchoolClassFactory, register_student
from tests.graphql.kit import Api, queries_for

FEED = """query($since: DateTime!, $after: String, $first: Int) { changes(since: $since, after: $after, first: $first) {
  changes { cursor kind label case { number state } registration { id status } student { name } } endCursor hasMore } }"""


def since():
    """Now: what the fixtures wrote before is not part of the test's changes."""
    return timezone.now().isoformat()


def test_changes_feed_lists_what_changed_in_scope_in_order_and_pages(world, places, people, transfer):
    start = since()
    target = SchoolClassFactory(school=places["school"], stage="junior", cohort=2025, class_name="七(9)班")
    newcomer = register_student(school=places["school"], stage="junior", name="赵新")
    registration_assign_class(acting_user=None, registration=newcomer, school_class=target, reason="分班")
    from cases.services.cases import case_approve
    from cases.workflow import current_step

    case = transfer
    while current_step(case) is not None:  # submitted by the fixture: each step's approver approves
        case = case_approve(acting_user=world.approver_of_current_step(case), case=case)
    county = Api(people["county"])
    feed = county.data(FEED, {"since": start})["changes"]
    kinds = [c["kind"] for c in feed["changes"]]
    assert kinds[:2] == ["STUDENT_REGISTERED", "CLASS_CHANGED"]
    assert "CASE_DECIDED" in kinds and "REGISTRATION_CHANGED" in kinds
    decided = next(c for c in feed["changes"] if c["kind"] == "CASE_DECIDED")
    assert decided["case"] == {"number": case.number, "state": "APPROVED"}
    assert feed["hasMore"] is False and feed["endCursor"] == feed["changes"][-1]["cursor"]
    # Nothing of another city's county.
    assert Api(people["other_city_county"]).data(FEED, {"since": start})["changes"]["changes"] == []
    # Paging: two at a time gives the same entries in the same order.
    seen, after = [], None
    while True:
        page = county.data(FEED, {"since": start, "after": after, "first": 2})["changes"]
        seen += [c["cursor"] for c in page["changes"]]
        after = page["endCursor"]
        if not page["hasMore"]:
            break
    assert seen == [c["cursor"] for c in feed["changes"]]
    assert county(FEED, {"since": start, "first": 101})[1]["errors"][0]["extensions"]["code"] == "page_too_large"
    assert county(FEED, {"since": start, "after": "bm9wZQ=="})[1]["errors"][0]["extensions"]["code"] == \
        "invalid_cursor"


def test_changes_feed_costs_the_same_for_5_and_50_changes(world, places):
    county = Api(world.authority_user(places["county"], role=Role.REVIEWER))
    school_class = SchoolClassFactory(school=places["school"], stage="junior", cohort=2025)
    start = since()

    def cost(n):
        for index in range(n):
            register_student(school_class=school_class, stage="junior", name=f"学生{index}")
        count, data = queries_for(county, FEED, {"since": start, "first": n})
        assert len(data["changes"]["changes"]) == n
        return count

    small = cost(5)
    assert cost(50) == small
