"""Two of Rasa's per-turn costs that only repeat the same answer, computed once instead.

A py-spy profile of Haven's Rasa process answering one person (make bench's turn mix) showed, besides the
real work (the NLU, the policies, the tracker store):

* `GraphSchema.minimal_graph_schema`: every run of the NLU graph and of every policy prediction (two or
  three a turn) walks the model's graph from the targets down, visiting shared nodes once per path (about 2 %
  of the turn). A loaded model's graph never changes, so the answer for a set of targets is kept on the
  schema (a publish loads a new model, hence a new schema with its own answers).
* `Event.resolve_by_type`: reading a conversation back from the tracker store looks up each stored event's
  class by walking every subclass of `Event` again (about 1 %). The lookup is kept by type name; a name it
  does not know yet (an event class imported later) is looked up the slow way, then kept too.

Behaviour is unchanged: the same schema and the same classes come back (tests/unit/test_rasa_speedups.py).
`install()` is called once in the Rasa process (scripts/serve_rasa.py), like bot.action_response_validation."""
from __future__ import annotations

from typing import Dict, List, Optional, Text, Tuple, Type

from rasa.engine.graph import GraphSchema
from rasa.shared.core.events import Event

_installed = False
_original_minimal_graph_schema = GraphSchema.minimal_graph_schema
_original_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[Text, Type[Event]] = {}


def _minimal_graph_schema(self: GraphSchema, targets: Optional[List[Text]] = None) -> GraphSchema:
    """Rasa's minimal schema for `targets`, computed once per loaded graph and set of targets."""
    key: Tuple[Text, ...] = tuple(targets) if targets else ()
    cache = self.__dict__.setdefault("_haven_minimal_schemas", {})
    if key not in cache:
        cache[key] = _original_minimal_graph_schema(self, targets)
    return cache[key]


def _resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Rasa's event class for a type name, looked up once per name."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    found = _original_resolve_by_type(type_name, default)
    if found is not None and found is not default:
        _event_classes[type_name] = found
    return found


def install() -> None:
    """Put both shortcuts in place (once per process)."""
    global _installed
    if _installed:
        return
    GraphSchema.minimal_graph_schema = _minimal_graph_schema  # type: ignore[assignment]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[assignment]
    _installed = True
