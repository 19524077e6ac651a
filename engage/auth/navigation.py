"""The staff menu: each section, the roles that see it, and where it lives.

Blueprints add their sections with ``add_section`` when they register, so the menu
never offers a page the person cannot open.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from flask_login import current_user


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    endpoint: str
    roles: frozenset[str]
    order: int
    # One line on the staff home page saying what the section is for.
    description: str = ""


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class HomePanel:
    """A short block an area adds to the staff home page (a template to include)."""

    template: str
    roles: frozenset[str]
    order: int


def add_section(app: Flask, section: Section) -> None:
    app.extensions.setdefault("engage.staff_sections", []).append(section)


def add_home_panel(app: Flask, panel: HomePanel) -> None:
    app.extensions.setdefault("engage.staff_home_panels", []).append(panel)


def register_navigation(app: Flask) -> None:
    @app.context_processor
    def _navigation() -> dict[str, object]:
        def staff_navigation() -> list[MenuItem]:
            if not current_user.is_authenticated:
                return []
            sections: list[Section] = app.extensions.get("engage.staff_sections", [])
            return [
                MenuItem(s.key, s.label, url_for(s.endpoint), s.description)
                for s in sorted(sections, key=lambda s: s.order)
                if current_user.role in s.roles
            ]

        def staff_home_panels() -> list[str]:
            if not current_user.is_authenticated:
                return []
            panels: list[HomePanel] = app.extensions.get("engage.staff_home_panels", [])
            return [
                p.template
                for p in sorted(panels, key=lambda p: p.order)
                if current_user.role in p.roles
            ]

        return {"staff_navigation": staff_navigation, "staff_home_panels": staff_home_panels}
