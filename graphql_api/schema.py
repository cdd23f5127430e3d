"""The GraphQL schema of the registry: one sub-package per area (types, queries, mutations)."""

import graphene

from .accounts.mutations import AccountMutations
from .accounts.queries import AccountQueries
from .archives.queries import ArchiveQueries
from .cases.mutations import CaseMutations
from .cases.queries import CaseQueries
from .core.nodes import Node
from .pages.queries import PageQueries
from .registry.queries import RegistryQueries
from .workdays.queries import WorkdayQueries


class Query(PageQueries, WorkdayQueries, ArchiveQueries, CaseQueries, RegistryQueries, AccountQueries,
            graphene.ObjectType):
    node = Node.Field(description="按全局 ID 取任一对象;不存在或无权查看时为 null")


class Mutation(AccountMutations, CaseMutations, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
