"""The catalog's extractor reads messages passed to a speaker called ``tr`` (and ``N_``): a message
given to a speaker under another name (``self.tr("...")``, ``flow.tr("...")``) would never reach
the catalog and stay English for everyone. Found once in the check-in's headings."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from bot.i18n.speech import ROOT, SOURCE_DIRS


def source_trees() -> Iterator[tuple[str, ast.Module]]:
    """Each source file the catalog's extractor reads, as (its path from the root, its tree)."""
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def test_no_literal_message_goes_to_a_speaker_the_extractor_cannot_see() -> None:
    hidden: list[str] = []
    for path, tree in source_trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "tr" or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                hidden.append(f"{path}:{node.lineno}")
    assert hidden == [], "call the speaker `tr` (tr = self.tr) so the message is extracted"


SPEAKER_MAKERS = {"translator_for", "server_translator_for", "speaker"}


def test_every_speaker_that_says_a_message_is_named_tr() -> None:
    # `said = translator_for(interaction)` then `said("...")` hid /labs delete's two answers
    # from the catalog: German users got them in English.
    misnamed: list[str] = []
    for path, tree in source_trees():
        speakers: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                made_by = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if made_by in SPEAKER_MAKERS:
                    speakers |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        speakers.discard("tr")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in speakers
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                misnamed.append(f"{path}:{node.lineno} {node.func.id}")
    assert misnamed == [], "bind a speaker to `tr` so its messages are extracted"


def test_every_user_error_message_is_marked_for_the_catalog() -> None:
    # Found in a console walk: `/dehnen erinnern wo:Im Erinnerungskanal` in a DM answered
    # "Reminders in a channel need to be set up from inside a server." to a German client: a
    # UserError given a bare string never reaches the catalog.
    unmarked: list[str] = []
    for path, tree in source_trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "UserError"
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
            ):
                unmarked.append(f"{path}:{node.lineno}")
    assert unmarked == [], "mark the message N_(...) and give its values as keywords"
