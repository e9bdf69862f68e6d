"""Exporters: a quiz to GIFT, Moodle XML, QTI 2.1 or a printable worksheet.

Each is a pure function `export_<format>(quiz, lesson=None) -> ExportResult`.
"""

from __future__ import annotations

from webapp.content.exporters.base import ExportResult
from webapp.content.exporters.gift import export_gift
from webapp.content.exporters.moodle_xml import export_moodle_xml
from webapp.content.exporters.qti import export_qti
from webapp.content.exporters.worksheet import export_worksheet

__all__ = [
    "ExportResult",
    "export_gift",
    "export_moodle_xml",
    "export_qti",
    "export_worksheet",
]
