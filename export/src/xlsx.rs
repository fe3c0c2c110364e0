//! Spreadsheets out: the school's registers as .xlsx (issue 12). See the module's tests.
