"""Reading pages as a person would: the title, the heading, the errors and what is filled in."""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag


@dataclass
class Page:
    soup: BeautifulSoup

    @classmethod
    def of(cls, html: bytes | str) -> Page:
        return cls(BeautifulSoup(html, "html.parser"))

    @property
    def title(self) -> str:
        return self.soup.title.get_text(strip=True) if self.soup.title else ""

    @property
    def heading(self) -> str:
        h1 = self.soup.find("h1")
        return h1.get_text(" ", strip=True) if h1 else ""

    def text(self) -> str:
        return self.soup.get_text(" ", strip=True)

    def error_summary(self) -> list[tuple[str, str]]:
        """(message, link target) for each entry of the error summary."""
        summary = self.soup.select_one(".govuk-error-summary")
        if summary is None:
            return []
        return [(a.get_text(strip=True), str(a["href"])) for a in summary.select("a")]

    def field_error(self, field_id: str) -> str | None:
        """The message shown next to a field (GOV.UK puts it in the same form group)."""
        node = self.soup.find(id=field_id)
        group = node.find_parent(class_="govuk-form-group") if isinstance(node, Tag) else None
        message = group.select_one(".govuk-error-message") if group else None
        if message is None:
            return None
        return message.get_text(" ", strip=True).removeprefix("Error:").strip()

    def value(self, name: str) -> str | None:
        textarea = self.soup.find("textarea", attrs={"name": name})
        if isinstance(textarea, Tag):
            return textarea.get_text()
        inputs = self.soup.find_all("input", attrs={"name": name})
        for node in inputs:
            if node.get("type") in ("radio", "checkbox"):
                if node.has_attr("checked"):
                    return str(node["value"])
            else:
                return str(node.get("value", ""))
        return None

    def hidden_fields(self) -> dict[str, str]:
        return {
            str(node["name"]): str(node.get("value", ""))
            for node in self.soup.select("input[type=hidden]")
        }

    def csrf_token(self) -> str:
        return self.hidden_fields()["csrf_token"]
