"""What a build imports ahead of its Python models is read from the models themselves."""

from pathlib import Path

from rnw.settings import Settings
from rnw.warmup import model_modules


def test_model_modules_are_the_rnw_imports_of_the_models(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "a.py").write_text(
        "import pyarrow as pa\nfrom rnw.enrich import people\nfrom . import sibling\n", encoding="utf-8"
    )
    (tmp_path / "nested" / "b.py").write_text(
        "import rnw.topics, json\ndef model(dbt, session):\n    from rnw.people.identity import x\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.sql").write_text("-- from rnw.ignored import nothing\n", encoding="utf-8")
    assert model_modules(tmp_path) == ["rnw.enrich", "rnw.people.identity", "rnw.topics"]


def test_every_python_model_of_the_project_is_covered() -> None:
    models = Settings().dbt_project_dir / "models"
    found = model_modules(models)
    for path in models.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("from rnw."):
                assert line.split()[1] in found, (path.name, line)
    assert "rnw.indicators" in found  # int_article_indicators' version constant
