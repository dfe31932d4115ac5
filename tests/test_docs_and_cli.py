"""The docs stay true (every hook documented, examples run) and the CLI stays light and honest."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import types
from dataclasses import fields
from pathlib import Path

from conftest import PROJECT, run_km

from km_core import JobContext, config
from km_core.api import Item
from km_core.plugins import Plugins, load_settings

DOCS = PROJECT / "docs"


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, re.S)


def test_every_hook_has_a_section_in_the_plugin_guide() -> None:
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    hooks = [name for name in dir(Plugins(load_settings()).pm.hook) if name.startswith("km_")]
    assert len(hooks) >= 7
    for hook in hooks:
        assert f"### {hook}" in guide, f"docs/plugins.md has no section for {hook}"


def test_plugin_guide_example_runs_as_written(tmp_path: Path) -> None:
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    blocks = _python_blocks(guide)  # the guide's other hooks have examples too: find these two by what they define
    plugin_source = next(b for b in blocks if "def km_extract" in b)
    test_source = next(b for b in blocks if "def test_reads_title" in b)
    module = types.ModuleType("km_html")
    exec(compile(plugin_source, "km_html.py", "exec"), module.__dict__)
    sys.modules["km_html"] = module
    try:
        page = tmp_path / "page.html"
        page.write_text("<html><title>Q3 &amp; plans</title><style>x{}</style><p>Ship <i>it</i></p>")
        content = module.km_extract(Item(path=str(page), ext=".html"), JobContext(job="t", run_id="t"))
        assert content.title == "Q3 & plans" and content.text == "Q3 & plans Ship it"
        assert module.km_extract(Item(path=str(page), ext=".pdf"), JobContext(job="t", run_id="t")) is None
        namespace: dict = {}
        exec(compile(test_source, "test_km_html.py", "exec"), namespace)
        namespace["test_reads_title"](tmp_path)
    finally:
        sys.modules.pop("km_html", None)


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for section, cls in config.SECTIONS.items():
        assert f"### `[{section}]`" in text
        for f in fields(cls):
            assert f"| `{f.name}` |" in text, f"docs/configuration.md misses {section}.{f.name}"


def test_default_config_written_by_init_is_valid_and_idempotent(km_home: Path) -> None:
    first = run_km("init", "--root", str(km_home), home=km_home)
    assert first.returncode == 0 and "wrote" in first.stderr
    written = (km_home / "config" / "km.toml").read_text(encoding="utf-8")
    parsed = tomllib.loads(written)
    assert parsed["locations"]["roots"] == [str(km_home)]
    assert parsed["jobs"]["retries"] == 3
    second = run_km("init", home=km_home)
    assert second.returncode == 0 and "already exists" in second.stderr
    assert (km_home / "config" / "km.toml").read_text(encoding="utf-8") == written


def test_cli_start_up_imports_no_heavy_library() -> None:
    code = (
        "import sys; import km_core.cli.app; "
        "heavy = [m for m in ('kuzu', 'spacy', 'textual', 'pypdfium2', 'pdfminer', 'docx', 'sklearn', 'PIL') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_km_core_never_imports_textual() -> None:
    for path in (PROJECT / "km_core").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) textual", source, re.M), path


def test_json_output_is_pure_and_usage_errors_exit_2(km_home: Path, tmp_path: Path) -> None:
    (km_home / "config").mkdir(parents=True)
    (km_home / "config" / "km.toml").write_text(f'[locations]\nroots = ["{tmp_path}"]\n', encoding="utf-8")
    status = run_km("status", "--json", home=km_home)
    assert status.returncode == 0
    assert json.loads(status.stdout)["jobs"]["daily"]["last_run"] is None
    unknown_task = run_km("job", "daily", "--task", "nope", home=km_home)
    assert unknown_task.returncode == 2 and "tasks of the daily job: discover, ocr, extract" in unknown_task.stderr
    bad_path = run_km("job", "daily", "--path", str(tmp_path / "absent"), home=km_home)
    assert bad_path.returncode == 2 and "is not a folder" in bad_path.stderr
    missing = run_km("show", "/nowhere/at/all.pdf", home=km_home)
    assert missing.returncode == 2 and "no item" in missing.stderr
    write = run_km("query", "CREATE (t:Tag {name: 'x'})", home=km_home)
    assert write.returncode == 2 and "read-only" in write.stderr


def test_plugin_guide_report_example_runs_on_a_real_graph(km_home: Path) -> None:
    from km_core import ReportSection
    from km_core import config as config_mod
    from km_core.store import open_graph

    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    source = next(b for b in _python_blocks(guide) if "def km_report" in b)
    namespace: dict = {}
    exec(compile(source, "km_notes_report.py", "exec"), namespace)
    with open_graph(config_mod.load(), read_only=True) as graph:
        ctx = JobContext(job="monthly", run_id="t", period="2026-11", query=lambda q, p=None: graph.rows(q, p or {}))
        section = namespace["km_report"]("monthly", ctx)
        assert namespace["km_report"]("daily", ctx) is None
    assert isinstance(section, ReportSection) and section.data == {"notes": 0} and "**0** notes" in section.markdown
