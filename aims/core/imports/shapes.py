"""Shapes of real registers that reading row by row gets wrong: a register with one record per
column (a filled template: the field names down the first column), and formula cells, which are
read as the value Excel calculated and kept in the file — never as the formula text.
"""

import re
from functools import cache

from django.utils.translation import gettext as _

from aims.core.imports.proposals import normalize


def transpose(grid: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The grid with rows and columns swapped: the n-th column becomes "row" n."""
    width = max((len(cells) for _number, cells in grid), default=0)
    columns = []
    for column in range(width):
        cells = [cells[column] if column < len(cells) else "" for _number, cells in grid]
        if any(cells):
            columns.append((column + 1, cells))
    return columns


def looks_transposed(headers: list[str], rows: list[tuple[int, list[str]]], aliases) -> bool:
    """Whether the field names run down the first column rather than along the header row:
    the first column names more of the register's fields, and at least three."""
    if aliases is None:
        return False
    first_column = [headers[0]] + [cells[0] for _number, cells in rows if cells]
    down = {aliases.field(normalize(text)) for text in first_column} - {None}
    along = {aliases.field(normalize(text)) for text in headers} - {None}
    return len(down) >= 3 and len(down) > len(along)


# A formula's text as it reaches a cell when the file keeps no calculated value for it.
_FORMULA = re.compile(r"=\s*[A-Za-z_$(0-9'\"]")


def is_formula(text: str) -> bool:
    """Whether a cell holds a formula instead of a value: read from a workbook saved by a tool
    that does not calculate, or a CSV cell that Excel would calculate."""
    return bool(_FORMULA.match(text))


def refuse_formula(text: str) -> None:
    """ValueError naming the formula: its value is unknown, so the cell cannot be imported."""
    if is_formula(text):
        raise ValueError(
            _(
                "“%(value)s” is a formula without a calculated value. Open the file in Excel, "
                "let it calculate, save it and upload it again."
            )
            % {"value": text}
        )


def cached_value_parser(*args, **kwargs):
    """A sheet parser (openpyxl's WorkSheetParser, same arguments) that reads formula cells as
    the values Excel calculated and kept in the file; a formula without one is read as its
    text, for `refuse_formula` to report."""
    return _cached_value_parser_class()(*args, **{**kwargs, "data_only": True})


@cache
def _cached_value_parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser  # only for workbooks

    class CachedValueParser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = self.parse_formula(element)
            return cell

    return CachedValueParser
