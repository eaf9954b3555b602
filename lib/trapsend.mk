# lib/trapsend.mk: the SNMP trap/inform notifier (Net-SNMP single-session API), its unit test,
# the driver program and the integration test against a real snmptrapd.
lib_libvsnotify_a_SOURCES += lib/vs_trapsend.c lib/vs_trapsend_pdu.c lib/vs_trapsend.h

# Pure: the varbinds of alarms and routed traps, UTF-8 cuts, trap source addresses.
check_PROGRAMS += tests/unit/check_vs_trapsend
TESTS += tests/unit/check_vs_trapsend
tests_unit_check_vs_trapsend_SOURCES = tests/unit/check_vs_trapsend.c
nodist_tests_unit_check_vs_trapsend_SOURCES = lib/vs_mib.h
tests_unit_check_vs_trapsend_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS) $(NETSNMP_CFLAGS)
tests_unit_check_vs_trapsend_LDADD = $(VS_NOTIFY_LIBS) $(CHECK_LIBS)

# The driver the integration test runs (not a test itself): one message, one send.
check_PROGRAMS += tests/notify/trapsend_drive
tests_notify_trapsend_drive_SOURCES = tests/notify/trapsend_drive.c
tests_notify_trapsend_drive_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(NETSNMP_CFLAGS)
tests_notify_trapsend_drive_LDADD = $(VS_NOTIFY_LIBS)

TESTS += tests/notify/trapsend.test
EXTRA_DIST += tests/notify/trapsend.test
