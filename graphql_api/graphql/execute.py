"""Running one GraphQL operation: graphql-core over the strawberry schema, without its view.

strawberry's ``Schema.execute`` builds an execution context and runs a chain of extension
hooks per request; everything those hooks did here (the prepared-document cache, the limits,
the logging and masking of unexpected errors) is done once, inline. What makes the schema
behave (permission classes, exception handlers turning the core's errors into union members,
union type resolution, argument conversion) lives in the field resolvers that strawberry
built into the ``GraphQLSchema``, so graphql-core runs it unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeGuard, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    Executor,
    GraphQLError,
    OperationDefinitionNode,
    execute,
)
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from metric_registry.errors import shown

from ..edge.errors import BadRequestError
from .errors import presented
from .http import OperationRequest
from .schema import RegistrySchema

IS_AWAITABLE: Final = cast("Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable)
# What GET may run (strawberry's rule: no mutations; subscriptions would need a schema
# that has them, so validation refuses them anyway).
GET_OPERATIONS: Final = frozenset({"query", "subscription"})
_PLURAL: Final = {"query": "queries", "mutation": "mutations", "subscription": "subscriptions"}

ResponseBody = dict[str, Any]


class PlainExecutor(Executor[Any]):
    """graphql-core's executor without incremental delivery, with strawberry's resolve info.

    strawberry's executor class extends graphql-core's ``IncrementalExecutor``, whose extra
    bookkeeping serves ``@defer``/``@stream`` only; ``execute`` refuses a schema with those
    directives, and this one has none. About 7% of a ``metric(uid)`` request in process
    (measured again with the faces' edge layer in: 149 against 159 µs of CPU).
    """

    def __init__(self, *args: Any, operation_extensions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation_extensions = operation_extensions

    build_resolve_info = StrawberryGraphQLCoreExecutionContext.build_resolve_info


def find_operation(document: DocumentNode, operation_name: str | None) -> tuple[str, str | None]:
    """The kind (``query``, ``mutation``, ``subscription``) and name of the operation to run.

    Without a name, the first operation runs (strawberry's rule, which clients rely on).
    """
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name is not None else None
            if operation_name is None or name == operation_name:
                return definition.operation.value, name
    if operation_name is None:
        raise BadRequestError(400, "Can't get GraphQL operation type")
    raise BadRequestError(400, f"Unknown operation named {shown(operation_name)}.")


def as_graphql_error(error: Exception) -> GraphQLError:
    return (
        error if isinstance(error, GraphQLError) else GraphQLError(str(error), original_error=error)
    )


def answer(data: dict[str, Any] | None, errors: list[GraphQLError] | None) -> ResponseBody:
    """The response body; its errors as ``graphql.errors.presented`` shows them."""
    if not errors:
        return {"data": data}
    return {"data": data, "errors": [presented(error) for error in errors]}


class OperationRunner:
    """Prepares (cached), checks and executes operations against one schema."""

    def __init__(self, schema: RegistrySchema) -> None:
        self._schema = schema._schema
        self._prepare = schema.prepare

    async def run(self, request: OperationRequest, context: Any, *, method: str) -> ResponseBody:
        try:
            document, errors = self._prepare(request.query)
        except GraphQLError as error:  # a syntax error, or too many tokens
            return answer(None, [error])
        except Exception as error:  # a bug: logged and masked
            return answer(None, [as_graphql_error(error)])
        kind, operation_name = find_operation(document, request.operation_name)
        if method == "GET" and kind not in GET_OPERATIONS:
            raise BadRequestError(400, f"{_PLURAL[kind]} are not allowed when using GET")
        if errors:
            return answer(None, errors)
        try:
            result = execute(
                self._schema,
                document,
                context_value=context,
                variable_values=request.variables,
                operation_name=operation_name,
                executor_class=PlainExecutor,
                is_awaitable=IS_AWAITABLE,
                operation_extensions=request.extensions,
            )
            if IS_AWAITABLE(result):  # a field whose core call went to a thread
                result = await cast("Awaitable[ExecutionResult]", result)
        except Exception as error:  # not a field's: those are in the result
            return answer(None, [as_graphql_error(error)])
        executed = cast("ExecutionResult", result)
        return answer(executed.data, executed.errors)
