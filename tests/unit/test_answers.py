from actions.answers import match_option, vulnerabilities_from
from actions.directory import queries


def test_situation_keywords(session):
    options = queries.form_options(session, "situation")
    assert match_option("I have no papers", options) == "irregular"
    assert match_option("i lost my job because of the war", options) == "lost_job"
    assert match_option("my asylum was rejected", options) == "rejected_asylum"
    assert match_option("banana", options) is None


def test_vulnerabilities_can_be_several_none_or_skipped(session):
    options = queries.form_options(session, "vulnerabilities")
    assert vulnerabilities_from("I'm pregnant and sick", options) == ["illness", "pregnancy"]
    assert vulnerabilities_from("skip", options) == ["skipped"]
    assert vulnerabilities_from("none", options) == ["none"]
    assert vulnerabilities_from("purple", options) is None
