import pytest

from cases.models import Jurisdiction
from tests.case_types.helpers import World
from tests.factories import SchoolClassFactory, SchoolFactory, register_student


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def places(db):
    """Schools in 城关区, in 七里河区 (same city) and in 天水市秦州区 (another city)."""
    county = Jurisdiction.objects.get(code="620102")
    other_county = Jurisdiction.objects.get(code="620103")
    other_city = Jurisdiction.objects.get(code="620502")
    return {
        "county": county, "other_county": other_county, "other_city": other_city,
        "school": SchoolFactory(category="1", county=county, name="城关区第一初级中学"),
        "same_county_school": SchoolFactory(category="1", county=county, name="城关区第二初级中学"),
        "other_county_school": SchoolFactory(category="1", county=other_county, name="七里河区第一中学"),
        "other_city_school": SchoolFactory(category="1", county=other_city, name="秦州区第一中学"),
    }


@pytest.fixture
def pupil(places):
    """A second-year junior student at 城关区第一初级中学."""
    school_class = SchoolClassFactory(school=places["school"], stage="junior", cohort=2024)
    return register_student(school_class=school_class, stage="junior", name="王小明")


@pytest.fixture
def people(world, places):
    """Staff inside the pupil's scope and outside it (a school of another county, the authority
    of a county of another city)."""
    from cases.models import Role

    return {
        "registrar": world.school_user(places["school"]),
        "county": world.authority_user(places["county"], role=Role.REVIEWER),
        "city": world.authority_user(places["county"].parent, role=Role.REVIEWER),
        "other_county_school": world.school_user(places["other_county_school"]),
        "other_city_county": world.authority_user(places["other_city"], role=Role.REVIEWER),
    }


@pytest.fixture
def transfer(world, places, pupil):
    """A transfer of the pupil to another school of the same county, submitted (in review)."""
    from cases.services.cases import case_submit
    from tests.case_types.helpers import open_case

    destination = places["same_county_school"]
    case, submitter = open_case(world, case_type="transfer", school=places["school"], student=pupil.student,
                                transfer_scope="within", destination_school=destination,
                                details={"destination_class": class_of(destination).pk},
                                reason="relocation", evidence=["transfer_application", "residence_proof"])
    return case_submit(acting_user=submitter, case=case)


def class_of(school, cohort=2024):
    """A junior class of ``school`` in the pupil's cohort (a transfer's destination class)."""
    return school.classes.filter(stage="junior", cohort=cohort).first() or \
        SchoolClassFactory(school=school, stage="junior", cohort=cohort)
