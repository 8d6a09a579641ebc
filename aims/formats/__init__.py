"""Date and time formats per language (FORMAT_MODULE_PATH): one style for lists, pages,
exports, PDFs and e-mails. What is not set here comes from Django's own locale formats."""
