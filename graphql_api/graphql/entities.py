"""Entities over GraphQL (SPEC §9.1, §9.6): their types, and one core call per resolver."""

from __future__ import annotations

import uuid
from typing import Annotated, Final

import strawberry

import metric_registry as core
from metric_registry import ContextType
from metric_registry.models import format_timestamp
from metric_registry.models.entities import EntityListing

from .resolving import argument_names, bad_arguments, on_core
from .types import ConflictError, NotFoundError, ValidationError


@strawberry.type(description="Who values are measured about: an organization, a party, a user.")
class Entity:
    context_type: ContextType
    uid: uuid.UUID
    name: str | None
    created_at: str = strawberry.field(description="UTC, as YYYY-MM-DDTHH:MM:SSZ.")
    updated_at: str = strawberry.field(description="UTC, as YYYY-MM-DDTHH:MM:SSZ.")

    @classmethod
    def from_core(cls, entity: core.Entity) -> Entity:
        return cls(
            context_type=entity.context_type,
            uid=uuid.UUID(entity.uid),
            name=entity.name,
            created_at=format_timestamp(entity.created_at),
            updated_at=format_timestamp(entity.updated_at),
        )


@strawberry.type(description="One page of a context's entities, in uid order.")
class EntityPage:
    items: list[Entity]
    page: int
    per_page: int
    total_pages: int
    total_items: int


@strawberry.type(description="The key of an entity just deleted.")
class DeletedEntity:
    context_type: ContextType
    uid: uuid.UUID


@strawberry.input(
    description="An entity to register: an existing one is returned, renamed when a "
    "different name is given."
)
class RegisterEntityInput:
    context_type: ContextType
    uid: uuid.UUID
    name: str | None = None


RegisterEntityResult = Annotated[Entity | ValidationError, strawberry.union("RegisterEntityResult")]
DeleteEntityResult = Annotated[
    DeletedEntity | NotFoundError | ConflictError, strawberry.union("DeleteEntityResult")
]
ENTITY_ARGUMENTS: Final = argument_names(EntityListing.model_fields, ())


def get_entity(info: strawberry.Info, context_type: ContextType, uid: uuid.UUID) -> Entity | None:
    def get(registry: core.MetricRegistry) -> Entity | None:
        try:
            return Entity.from_core(registry.get_entity(context_type, str(uid)))
        except core.NotFoundError:
            return None

    return on_core(info, get)


def list_entities(
    info: strawberry.Info,
    context_type: ContextType,
    search: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> EntityPage:
    def list_page(registry: core.MetricRegistry) -> EntityPage:
        try:
            found = registry.list_entities(
                context_type, search=search, page=page, per_page=per_page
            )
        except core.ValidationError as error:
            raise bad_arguments(error, ENTITY_ARGUMENTS) from error
        return EntityPage(
            items=[Entity.from_core(item) for item in found.items],
            page=found.page,
            per_page=found.per_page,
            total_pages=found.total_pages,
            total_items=found.total_items,
        )

    return on_core(info, list_page)


def register_entity(info: strawberry.Info, input: RegisterEntityInput) -> Entity:
    return on_core(
        info,
        lambda registry: Entity.from_core(
            registry.register_entity(input.context_type, str(input.uid), input.name)
        ),
    )


def delete_entity(
    info: strawberry.Info, context_type: ContextType, uid: uuid.UUID
) -> DeletedEntity:
    def delete(registry: core.MetricRegistry) -> DeletedEntity:
        registry.delete_entity(context_type, str(uid))
        return DeletedEntity(context_type=context_type, uid=uid)

    return on_core(info, delete)
