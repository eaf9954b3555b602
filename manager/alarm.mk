# manager/alarm.mk: the threshold engine (Nagios ranges, alarm states, their state file), the
# group.* aggregates it is fed, and their unit tests. lib/vs_range.c lives here until another
# program needs it.
noinst_LIBRARIES += manager/libmgralarm.a
manager_libmgralarm_a_SOURCES = \
	lib/vs_range.c lib/vs_range.h \
	manager/mgr_alarm.c manager/mgr_alarm.h manager/mgr_alarm_int.h \
	manager/mgr_alarm_rule.c manager/mgr_alarm_msg.c manager/mgr_alarm_file.c \
	manager/mgr_group.c manager/mgr_group.h
manager_libmgralarm_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_libmgralarm_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)

VS_MGR_ALARM_LDADD = manager/libmgralarm.a lib/libvirtsight.a $(JSONC_LIBS) -lm

check_PROGRAMS += tests/unit/check_vs_range
TESTS += tests/unit/check_vs_range
tests_unit_check_vs_range_SOURCES = tests/unit/check_vs_range.c
tests_unit_check_vs_range_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_vs_range_LDADD = $(VS_MGR_ALARM_LDADD) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/check_mgr_alarm
TESTS += tests/unit/check_mgr_alarm
tests_unit_check_mgr_alarm_SOURCES = tests/unit/check_mgr_alarm.c
tests_unit_check_mgr_alarm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_alarm_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_mgr_alarm_LDADD = $(VS_MGR_ALARM_LDADD) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/check_mgr_group
TESTS += tests/unit/check_mgr_group
tests_unit_check_mgr_group_SOURCES = tests/unit/check_mgr_group.c
tests_unit_check_mgr_group_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_group_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_mgr_group_LDADD = manager/libmgralarm.a manager/libmgrcore.a lib/libvirtsight.a \
	$(CHECK_LIBS) -lm
