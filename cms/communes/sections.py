"""The sections a commune's home page holds (news, agenda, directory…).

Declared by the content kinds, a layer above (cms/content/kinds.py registers each
kind's section here); read by the commune's page types, the creation of a commune and
the admin's structure rules. A kind a project adds brings its section without a change
in this app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    model: str                  # "app_label.Model" of the section's index page
    title: Callable[[], str]    # its title in a new commune ("Actualités")
    slug: Callable[[], str]
    order: tuple = ()           # where it stands among the sections


_sections: dict[str, Section] = {}


def section_register(section: Section) -> None:
    known = _sections.get(section.model)
    if known is None or section.order < known.order:
        _sections[section.model] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.model))


def section_labels() -> list[str]:
    return [section.model for section in sections()]
