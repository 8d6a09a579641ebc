"""English: 4 Dec 2026 and 4 Dec 2026 20:35 (24-hour), in short and long form alike."""

DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
# Spreadsheet number formats of the same style, for date cells of XLSX exports.
XLSX_DATE_FORMAT = "D MMM YYYY"
XLSX_DATETIME_FORMAT = "D MMM YYYY HH:MM"
