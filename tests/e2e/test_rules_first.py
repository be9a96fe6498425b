"""With TED asked only when no rule decides (bot/rules_first.py), Haven's trained model chooses the same next
action as with every policy run, at every step of the training stories, and TED runs less often."""
from __future__ import annotations

from typing import List, Tuple

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine import loader
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from bot import rules_first
from tests.e2e.stack import ROOT

#: At most this many predictions compared (the steps of the stories, in order): bounds the test's time.
STEPS = 400


def story_steps(limit: int) -> List[Tuple[str, List[Event]]]:
    """Every point of the training stories where the bot acts: the conversation's events up to it."""
    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"),
                                                     [str(ROOT / "data")])
    domain = importer.get_domain()
    steps = []
    for story in TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate():
        events = list(story.events)
        steps += [(story.sender_id, events[:i]) for i, event in enumerate(events)
                  if i and isinstance(event, ActionExecuted) and event.action_name]
    return steps[:limit]


def test_rules_first_chooses_the_same_actions(directory_url: str, monkeypatch: pytest.MonkeyPatch):
    from scripts.train_if_changed import train_if_changed

    monkeypatch.setenv("HAVEN_DATABASE_URL", directory_url)
    model = str(train_if_changed(ROOT))  # `make test` has trained it already
    ted_runs: List[str] = []
    ted_predict = TEDPolicy.predict_action_probabilities

    def counted(self, *args, **kwargs):
        ted_runs.append("run")
        return ted_predict(self, *args, **kwargs)

    monkeypatch.setattr(TEDPolicy, "predict_action_probabilities", counted)
    every_policy = Agent.load(model)
    monkeypatch.setattr(loader, "load_predict_graph_runner", rules_first._load_predict_graph_runner)
    rules_first_agent = Agent.load(model)

    def chosen(agent: Agent, step: Tuple[str, List[Event]]):
        # a tracker of its own for each prediction: predicting changes the tracker (its follow-up action)
        tracker = DialogueStateTracker.from_events(step[0], step[1], agent.domain.slots)
        prediction = agent.processor._predict_next_with_tracker(tracker)
        return prediction.max_confidence_index, prediction.policy_name

    steps = list(story_steps(STEPS))
    assert len(steps) >= 100  # the stories have 160 steps today
    ted_runs.clear()
    expected = [chosen(every_policy, t) for t in steps]
    runs_with_every_policy = len(ted_runs)
    ted_runs.clear()
    assert [chosen(rules_first_agent, t) for t in steps] == expected
    print(f"TED ran {runs_with_every_policy} times with every policy, {len(ted_runs)} with rules first")
    assert len(ted_runs) < runs_with_every_policy / 2  # most steps are decided by a rule (30 of 149 today)
