"""One date form in the admin: 2026年12月1日 (display and input; Django's own zh_Hans input
format "%Y年%n月%j日" does not parse). Typed ISO dates are still accepted."""

DATE_FORMAT = SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1

# strptime's %m and %d take one or two digits, so 2026年12月1日 and 2026年03月02日 both parse.
DATE_INPUT_FORMATS = ["%Y年%m月%d日", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]
DATETIME_INPUT_FORMATS = ["%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                          "%Y/%m/%d %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ""
NUMBER_GROUPING = 4
