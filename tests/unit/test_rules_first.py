"""TED is asked only when no rule decides the next action (bot/rules_first.py)."""
from __future__ import annotations

from pathlib import Path

import yaml
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot import rules_first
from bot.rules_first import RULE_INPUT, RulesFirstTEDPolicy, decided_by_rule

ROOT = Path(__file__).resolve().parents[2]


def prediction(probabilities) -> PolicyPrediction:
    return PolicyPrediction(probabilities, "RulePolicy", 6)


def test_only_a_rule_decision_counts():
    assert decided_by_rule(prediction([0.0, 1.0, 0.0]))
    assert not decided_by_rule(prediction([0.0, 0.0, 0.3]))  # RulePolicy's core fallback: no rule applied
    assert not decided_by_rule(prediction([0.0, 0.0, 0.0]))
    assert not decided_by_rule(None)  # a graph without the edge


def haven_predict_schema():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return DefaultV1Recipe().graph_config_for_recipe(config, {}).predict_schema


def test_the_ted_prediction_receives_the_rule_prediction():
    schema = rules_first.rules_first(haven_predict_schema())
    [ted] = [node for node in schema.nodes.values() if node.uses is RulesFirstTEDPolicy and node.fn == rules_first.PREDICT]
    rule_node = schema.nodes[ted.needs[RULE_INPUT]]
    assert rule_node.uses.__name__ == "RulePolicy" and rule_node.fn == rules_first.PREDICT
    # every other node is as Rasa built it
    untouched = haven_predict_schema()
    assert {n: node.needs for n, node in schema.nodes.items() if node is not ted} == \
        {n: node.needs for n, node in untouched.nodes.items() if n in schema.nodes and schema.nodes[n] is not ted}


def test_a_graph_without_the_policies_is_left_alone():
    schema = haven_predict_schema()
    for name in [n for n, node in schema.nodes.items() if node.uses is RulesFirstTEDPolicy]:
        del schema.nodes[name]
    before = {n: dict(node.needs) for n, node in schema.nodes.items()}
    assert {n: node.needs for n, node in rules_first.rules_first(schema).nodes.items()} == before
