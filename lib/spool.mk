# lib/spool.mk: messages (vs_msg), the durable spool and its delivery threads.
lib_libvsnotify_a_SOURCES += lib/vs_msg.c
lib_libvsnotify_a_SOURCES += lib/vs_spool.c lib/vs_spool.h lib/vs_spool_file.c lib/vs_spool_file.h

check_PROGRAMS += tests/unit/check_vs_msg tests/unit/check_vs_spool
TESTS += tests/unit/check_vs_msg tests/unit/check_vs_spool

tests_unit_check_vs_msg_SOURCES = tests/unit/check_vs_msg.c
tests_unit_check_vs_msg_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_vs_msg_LDADD = $(VS_NOTIFY_LIBS) $(CHECK_LIBS)

tests_unit_check_vs_spool_SOURCES = tests/unit/check_vs_spool.c
tests_unit_check_vs_spool_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_vs_spool_LDADD = $(VS_NOTIFY_LIBS) $(CHECK_LIBS)

# A spool runner and a putting process as separate programs, for the integration test and for
# measuring put latency (spool_drive bench DIR DEAD N).
check_PROGRAMS += tests/notify/spool_drive
tests_notify_spool_drive_SOURCES = tests/notify/spool_drive.c
tests_notify_spool_drive_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_notify_spool_drive_LDADD = $(VS_NOTIFY_LIBS)
TESTS += tests/notify/spool-runner.test
EXTRA_DIST += tests/notify/spool-runner.test
