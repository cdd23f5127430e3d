"""Excel intake of a school's new pupils (第八、九、十一条): the template, reading an uploaded
workbook, the set-based checks of every row, and the result workbook. Pure functions over
openpyxl and the database's duplicate check; the service that stores uploads and fills the
registration case is ``cases/services/intake.py``."""
