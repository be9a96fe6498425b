"""What makes `make publish` train a new model: only what the model learns from."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from scripts.train_if_changed import INPUTS, model_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in INPUTS + ["data/translations", "data/directory", "data/hotline.yml"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        elif source.exists():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, tmp_path / name)
    return tmp_path


def edit_domain(project: Path, change) -> None:
    path = project / "domain.yml"
    domain = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(domain)
    path.write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_rewording_a_response_needs_no_new_model(project: Path) -> None:
    before = model_path(project)
    edit_domain(project, lambda d: d["responses"]["utter_greet"][0].update(text="Hello! I am Haven."))
    assert model_path(project) == before


def test_translations_directory_and_hotline_settings_need_no_new_model(project: Path) -> None:
    before = model_path(project)
    with (project / "data" / "directory" / "centres.csv").open("a", encoding="utf-8") as centres:
        centres.write("new-centre,New centre,iom,LY,benghazi,,32.1,20.0,city,,health,,,true,,test,false,\n")
    (project / "data" / "translations" / "fr.yml").write_text(
        (project / "data" / "translations" / "fr.yml").read_text(encoding="utf-8") + "\n# reworded\n", encoding="utf-8")
    (project / "data" / "hotline.yml").write_text("# changed\n" + (ROOT / "data" / "hotline.yml").read_text())
    assert model_path(project) == before


def test_a_new_response_a_training_example_or_a_config_change_need_a_new_model(project: Path) -> None:
    before = model_path(project)
    edit_domain(project, lambda d: d["responses"].update(utter_new=[{"text": "new"}]))
    with_response = model_path(project)
    assert with_response != before
    nlu = project / "data" / "nlu" / "en" / "smalltalk.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8").replace("- hello\n", "- hello\n    - hello there friend\n", 1),
                   encoding="utf-8")
    assert model_path(project) != with_response
