"""The documented request bodies (graphql_api/rest/bodies.py) keep to what the core takes."""

from __future__ import annotations

import inspect

from pydantic import BaseModel

from graphql_api.rest.bodies import (
    EntityBody,
    RecordValueBody,
    UpdateValueBody,
    ValueBatch,
    ValueRow,
)
from metric_registry import MetricRegistry
from metric_registry.models.entities import EntityInput
from metric_registry.models.values import INPUT_FIELDS, ON_CONFLICT

VALUE_INPUT = {"_metadata" if name == "metadata" else name for name in INPUT_FIELDS}


def wire_names(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def test_a_batch_row_is_the_cores_value_input() -> None:
    assert wire_names(ValueRow) == VALUE_INPUT
    assert wire_names(UpdateValueBody) == VALUE_INPUT


def test_one_value_is_the_cores_input_but_what_the_path_gives() -> None:
    assert wire_names(RecordValueBody) | {"context_type", "entity_uid"} == VALUE_INPUT
    assert not wire_names(RecordValueBody) & {"context_type", "entity_uid"}


def test_an_entity_body_is_the_cores_input_but_what_the_path_gives() -> None:
    assert wire_names(EntityBody) | {"context_type", "uid"} == set(EntityInput.model_fields)


def test_a_batch_is_record_values_and_its_keywords_with_their_defaults() -> None:
    parameters = inspect.signature(MetricRegistry.record_values).parameters
    keywords = {
        name: parameter.default
        for name, parameter in parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }

    assert wire_names(ValueBatch) == {"values", *keywords}
    assert {name: ValueBatch.model_fields[name].default for name in keywords} == keywords
    schema = ValueBatch.model_json_schema()
    assert schema["properties"]["on_conflict"]["enum"] == list(ON_CONFLICT)
    assert schema["required"] == ["values"]
