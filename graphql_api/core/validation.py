"""Cost control as graphql-core validation rules: a depth limit and a complexity budget.

Cost: every field costs 1 for each row it is read on; a connection multiplies what it contains
by its page size (first/last; a variable or nothing counts as the maximum, 100), a list of
objects by 5. ``students(first: 100) { edges { node { name registrations { status } } } }``
costs about 100 × (2 + 5 × 1). ``__typename`` costs 1 like any field; the introspection fields
(``__schema``, ``__type``) are not counted (production switches introspection off).

The cost is that of the *expanded* operation: every fragment spread counts its fragment's
fields again, wherever it appears (under ten aliases it counts ten times). Expanding literally
is exponential in the nesting of fragments, so each fragment's (depth, cost per row) is computed
once per type it is spread on and multiplied: linear in the size of the document, same result.
"""

from django.conf import settings
from graphql import GraphQLError
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, IntValueNode, OperationDefinitionNode
from graphql.type import GraphQLList, get_named_type, get_nullable_type, is_object_type
from graphql.validation import ValidationRule

LIST_FACTOR = 5


def _page_size(node, max_limit):
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), max_limit))
            return max_limit  # a variable: counted at the maximum
    return max_limit


class CostLimitRule(ValidationRule):
    def __init__(self, context):
        super().__init__(context)
        self.max_depth = settings.XUEJI_GRAPHQL_MAX_DEPTH
        self.max_cost = settings.XUEJI_GRAPHQL_MAX_COST
        self.max_limit = settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100)
        self.fragments = {f.name.value: f for f in context.document.definitions if hasattr(f, "type_condition")}
        self.fragment_costs = {}  # (fragment, parent type) → (depth, cost per row)
        self.expanding = set()  # fragments being measured: a cycle (reported by the standard rules) counts 0

    def measure(self, node: OperationDefinitionNode):
        """(depth, cost) of an operation; stops adding once over a limit."""
        return self._measure(node.selection_set, self.context.schema.get_root_type(node.operation))

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        depth, cost = self.measure(node)
        if depth > self.max_depth:
            self.report_error(GraphQLError(f"查询嵌套过深({depth}层,上限{self.max_depth}层)", node,
                                           extensions={"code": "query_too_deep"}))
        elif cost > self.max_cost:
            self.report_error(GraphQLError(f"查询过于复杂(估算成本{cost},上限{self.max_cost}),请减少字段或每页条数",
                                           node, extensions={"code": "query_too_complex"}))

    def _measure(self, selection_set, parent_type):
        """(depth, cost) of a selection set read once; both scale linearly with the rows read."""
        deepest, cost = 0, 0
        if selection_set is None or parent_type is None:
            return deepest, cost
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                sub_depth, sub_cost = self._field(selection, parent_type)
            elif isinstance(selection, FragmentSpreadNode):
                sub_depth, sub_cost = self._spread(selection.name.value, parent_type)
            elif isinstance(selection, InlineFragmentNode):
                target = parent_type
                if selection.type_condition:
                    target = self.context.schema.get_type(selection.type_condition.name.value)
                sub_depth, sub_cost = self._measure(selection.selection_set, target)
            else:
                continue
            deepest, cost = max(deepest, sub_depth), cost + sub_cost
            if cost > self.max_cost or deepest > self.max_depth:
                break  # already over a limit: no need to measure the rest
        return deepest, cost

    def _field(self, selection, parent_type):
        name = selection.name.value
        if name == "__typename":
            return 1, 1
        if name.startswith("__"):
            return 0, 0
        field = getattr(parent_type, "fields", {}).get(name)
        if field is None:
            return 0, 0  # reported by the standard rules
        factor = 1
        if "first" in field.args:
            factor = _page_size(selection, self.max_limit)
        elif name == "edges" and parent_type.name.endswith("Connection"):
            pass  # the page size was counted on the connection field
        elif isinstance(get_nullable_type(field.type), GraphQLList) and is_object_type(get_named_type(field.type)):
            factor = LIST_FACTOR
        sub_depth, sub_cost = self._measure(selection.selection_set, get_named_type(field.type))
        return 1 + sub_depth, 1 + factor * sub_cost

    def _spread(self, name, parent_type):
        fragment = self.fragments.get(name)
        if fragment is None or name in self.expanding:
            return 0, 0  # unknown or cyclic: reported by the standard rules
        key = (name, parent_type.name)
        if key not in self.fragment_costs:
            self.expanding.add(name)
            target = self.context.schema.get_type(fragment.type_condition.name.value) or parent_type
            self.fragment_costs[key] = self._measure(fragment.selection_set, target)
            self.expanding.discard(name)
        return self.fragment_costs[key]
