"""Cost control as graphql-core validation rules: a depth limit and a complexity budget.

Cost: every field costs 1 for each row it is read on; a connection multiplies what it contains
by its page size (first/last; a variable or nothing counts as the maximum, 100), a list of
objects by 10. ``students(first: 100) { edges { node { name registrations { status } } } }``
costs about 100 × (2 + 5 × 1). Introspection fields (``__schema``…) are not counted.
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

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        depth, cost = self._measure(node.selection_set, root, 1, 0, set())
        if depth > self.max_depth:
            self.report_error(GraphQLError(f"查询嵌套过深({depth}层,上限{self.max_depth}层)", node,
                                           extensions={"code": "query_too_deep"}))
        elif cost > self.max_cost:
            self.report_error(GraphQLError(f"查询过于复杂(估算成本{cost},上限{self.max_cost}),请减少字段或每页条数",
                                           node, extensions={"code": "query_too_complex"}))

    def _measure(self, selection_set, parent_type, multiplier, depth, seen):
        """(deepest field depth, cost) of a selection set read ``multiplier`` times."""
        deepest, cost = depth, 0
        if selection_set is None or parent_type is None:
            return deepest, cost
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                field = getattr(parent_type, "fields", {}).get(name)
                if field is None:
                    continue  # reported by the standard rules
                cost += multiplier
                inner = multiplier
                if "first" in field.args:
                    inner *= _page_size(selection, self.max_limit)
                elif name == "edges" and parent_type.name.endswith("Connection"):
                    pass  # the page size was counted on the connection field
                elif isinstance(get_nullable_type(field.type), GraphQLList) and is_object_type(
                        get_named_type(field.type)):
                    inner *= LIST_FACTOR
                sub_depth, sub_cost = self._measure(selection.selection_set, get_named_type(field.type), inner,
                                                    depth + 1, seen)
                deepest, cost = max(deepest, sub_depth), cost + sub_cost
            else:
                if isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or name in seen:
                        continue  # unknown or cyclic: reported by the standard rules
                    seen = seen | {name}
                    type_name, selections = fragment.type_condition.name.value, fragment.selection_set
                elif isinstance(selection, InlineFragmentNode):
                    type_name = selection.type_condition.name.value if selection.type_condition else None
                    selections = selection.selection_set
                else:
                    continue
                target = self.context.schema.get_type(type_name) if type_name else parent_type
                sub_depth, sub_cost = self._measure(selections, target, multiplier, depth, seen)
                deepest, cost = max(deepest, sub_depth), cost + sub_cost
        return deepest, cost
