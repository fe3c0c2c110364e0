//! Spreadsheets in: people read from .xlsx, .xls, .ods and .csv (issue 12).
