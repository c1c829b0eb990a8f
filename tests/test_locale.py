"""The English catalogue: every message translated, placeholders kept, compiled, current."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/en/LC_MESSAGES/django.po")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|\{%[^%]*%\}|<[^>]+>")


def entries(po: Path) -> list[dict]:
    """The catalogue's entries (not the header), each with its flags and strings."""
    found: list[dict] = []
    entry: dict = {}
    key = None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry.get("msgid") is not None and not entry.get("obsolete"):
                found.append(entry)
            entry, key = {}, None
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in found if e["msgid"]]


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_every_english_message_is_translated():
    untranslated = [e["msgid"] for e in entries(ROOT / CATALOGUE)
                    if not all(translations(e)) or "fuzzy" in e.get("flags", ())]
    assert untranslated == [], "make messages, then translate these:\n" + "\n".join(untranslated)


def test_translations_keep_every_placeholder():
    broken = [(e["msgid"], text) for e in entries(ROOT / CATALOGUE) for text in translations(e)
              if sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"])))
              != sorted(PLACEHOLDER.findall(text))]
    assert broken == []


def test_the_compiled_catalogue_is_the_current_one():
    with open(ROOT / CATALOGUE.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in entries(ROOT / CATALOGUE):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = [compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                   if context else compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                   for n in (1, 2)]
            assert got == [entry["msgstr[0]"], entry["msgstr[1]"]], "make messages"
        else:
            got = (compiled.pgettext(context, entry["msgid"]) if context
                   else compiled.gettext(entry["msgid"]))
            assert got == entry["msgstr"], f"make messages: {entry['msgid']!r}"


def test_the_catalogue_has_every_message_of_the_source(tmp_path):
    """makemessages on a copy of the source finds no message the catalogue lacks."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("gettext is missing; CI must check the catalogue")
        pytest.skip("gettext is missing (apt-get install gettext)")
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "node_modules", "__pycache__", "*.mo", ".*cache"))
    subprocess.run([sys.executable, "manage.py", "makemessages", "--locale", "en",
                    "--no-obsolete", "--verbosity", "0"],
                   cwd=copy, check=True, env=os.environ | {"DJANGO_DEBUG": "true"})

    def messages(po: Path) -> set:
        return {(e.get("msgctxt"), e["msgid"]) for e in entries(po)}

    new = messages(copy / CATALOGUE) - messages(ROOT / CATALOGUE)
    assert new == set(), "make messages: the catalogue lacks " + repr(sorted(new, key=str))
