import pytest

from coderefine.config import Settings, load_settings
from coderefine.prompts import render


def test_settings_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nmodel = "gpt-4o"\nmax_iters = 2\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    settings = load_settings(sub)
    assert settings.model == "gpt-4o" and settings.max_iters == 2 and settings.backend == Settings().backend


def test_settings_reject_unknown_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nmodle = "x"\n')
    with pytest.raises(ValueError, match="modle"):
        load_settings(tmp_path)


def test_prompts_fill_code_with_braces():
    text = render("candidate", code="d = {1: 2}\nf'{x}'", passed="1", total="3", failures="F")
    assert "d = {1: 2}" in text and "1 of 3 passed" in text


def test_prompt_missing_value_is_an_error():
    with pytest.raises(KeyError):
        render("problem.statement", statement="only this")
