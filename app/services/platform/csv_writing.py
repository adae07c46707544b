"""CSV written for spreadsheets: a cell that a spreadsheet would take for a formula is quoted."""

# Cells a spreadsheet would run as a formula (OWASP's list: = + - @, tab and carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell as text that a spreadsheet shows rather than evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
