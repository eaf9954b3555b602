# lib/slack.mk: the Slack incoming-webhook notifier, its unit test (the payload and escaping,
# no sockets), and the driver and integration test against tests/lib/http_sink.py.
lib_libvsnotify_a_SOURCES += lib/vs_slack.c lib/vs_slack_fmt.c lib/vs_slack.h

check_PROGRAMS += tests/unit/check_vs_slack
TESTS += tests/unit/check_vs_slack
tests_unit_check_vs_slack_SOURCES = tests/unit/check_vs_slack.c
tests_unit_check_vs_slack_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_vs_slack_LDADD = $(VS_NOTIFY_LIBS) $(CHECK_LIBS)

# The driver behaves like the spool runner for tests/notify/slack.test (not a test itself).
check_PROGRAMS += tests/notify/slack_drive
tests_notify_slack_drive_SOURCES = tests/notify/slack_drive.c
tests_notify_slack_drive_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_notify_slack_drive_LDADD = $(VS_NOTIFY_LIBS)
TESTS += tests/notify/slack.test
EXTRA_DIST += tests/notify/slack.test
