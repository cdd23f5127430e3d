"""The GraphQL schema of the registry: one sub-package per area (types, queries, mutations)."""

import graphene

from .accounts.mutations import AccountMutations
from .accounts.queries import AccountQueries
from .accounts.staff import StaffMutations, StaffQueries
from .archives.mutations import ArchiveMutations
from .archives.queries import ArchiveQueries
from .certificates.mutations import CertificateMutations
from .certificates.queries import CertificateQueries
from .changes.queries import ChangeQueries
from .cases.mutations import CaseMutations
from .cases.queries import CaseQueries
from .core.nodes import Node
from .intake.mutations import IntakeMutations
from .intake.queries import IntakeQueries
from .jobs.mutations import JobMutations
from .jobs.queries import JobQueries
from .pages.queries import PageQueries
from .cases.bulk import BulkCaseMutations
from .registry.mutations import RegistryMutations
from .registry.reference import ReferenceMutations
from .registry.queries import RegistryQueries
from .reports.queries import ReportQueries
from .workdays.queries import WorkdayQueries


class Query(PageQueries, WorkdayQueries, ArchiveQueries, CaseQueries, RegistryQueries, AccountQueries,
            CertificateQueries, StaffQueries, ChangeQueries, IntakeQueries, ReportQueries, JobQueries,
            graphene.ObjectType):
    node = Node.Field(description="按全局 ID 取任一对象;不存在或无权查看时为 null")


class Mutation(AccountMutations, CaseMutations, BulkCaseMutations, RegistryMutations, ArchiveMutations,
               CertificateMutations, StaffMutations, ReferenceMutations, IntakeMutations, JobMutations,
               graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
