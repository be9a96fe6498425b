"""Rasa's graph walk and event-class lookup, done once (bot/rasa_speedups.py), give what Rasa's own give."""
from __future__ import annotations

import pytest
from rasa.engine.graph import GraphSchema, SchemaNode
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot import rasa_speedups


class _Node:
    pass


def schema() -> GraphSchema:
    def node(**needs: str) -> SchemaNode:
        return SchemaNode(needs=needs, uses=_Node, constructor_name="create", fn="run", config={})
    return GraphSchema({"a": node(), "b": node(x="a"), "c": node(x="a", y="b"), "d": node(x="c"),
                        "unrelated": node(x="a")})


def test_the_minimal_schema_is_rasas_and_computed_once() -> None:
    expected = rasa_speedups._original_minimal_graph_schema(schema(), ["d"])
    rasa_speedups.install()
    graph = schema()
    first = graph.minimal_graph_schema(["d"])
    assert set(first.nodes) == set(expected.nodes) == {"a", "b", "c", "d"}
    assert graph.minimal_graph_schema(["d"]) is first
    assert set(graph.minimal_graph_schema(["b"]).nodes) == {"a", "b"}


def test_event_classes_are_rasas() -> None:
    rasa_speedups.install()
    for cls in (ActionExecuted, SlotSet, UserUttered):
        assert Event.resolve_by_type(cls.type_name) is cls
        assert Event.resolve_by_type(cls.type_name) is cls  # kept
    assert Event.resolve_by_type("no such event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no such event")
