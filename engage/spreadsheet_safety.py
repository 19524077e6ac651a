"""Making CSV cells safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) would run as a formula in
Excel, LibreOffice or Google Sheets, so it gets a leading single quote. Files start with a
byte order mark so Excel reads them as UTF-8.
"""

from __future__ import annotations

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
