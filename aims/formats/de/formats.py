"""German: 04.12.2026 and 04.12.2026 20:35, in short and long form alike."""

DATE_FORMAT = SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
# Spreadsheet number formats of the same style, for date cells of XLSX exports.
XLSX_DATE_FORMAT = "DD.MM.YYYY"
XLSX_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
