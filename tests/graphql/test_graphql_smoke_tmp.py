from tests.graphql.kit import Api


def test_smoke(world, places, pupil):
    api = Api(world.school_user(places["school"]))
    status, body = api("""{ me { user { username fullName } unit { __typename ... on School { name code } } role permissions scopeCode }
      students(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { id name registryNumber gender
        currentRegistration { status stage grade gradeLabel school { name county { name parent { name } } } auxiliaryNumber { number } }
        registrations { status events { statusTo reason recordedBy { username } } } guardians { name } } } }
      schools { edges { node { name stages category county { code } } } }
      caseTypes { code name articles reasons { code label } evidenceKinds { code label reasons } steps { level side label workingDays } }
      addWorkingDays(start: "2025-09-30", count: 3) workingDaysBetween(start: "2025-09-30", end: "2025-10-10")
    }""")
    print(status, body)
    assert status == 200 and "errors" not in body
