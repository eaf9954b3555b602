# manager/: virtsight-manager. Each part is a convenience library with its own fragment (and
# its own unit and driver tests); the daemon links them all.
noinst_LIBRARIES += manager/libmgrcore.a
manager_libmgrcore_a_SOURCES = \
	manager/mgr_metric.c manager/mgr_metric.h \
	manager/mgr_rate.c manager/mgr_rate.h \
	manager/mgr_host.c manager/mgr_host.h \
	manager/mgr_shard.c manager/mgr_shard.h \
	manager/mgr_status.c manager/mgr_status.h \
	manager/mgr_core.c manager/mgr_core.h \
	manager/mgr_config.h manager/mgr_snmp.h manager/mgr_lv.h manager/mgr_rrd.h
manager_libmgrcore_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_libmgrcore_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)

check_PROGRAMS += tests/unit/check_mgr_rate
TESTS += tests/unit/check_mgr_rate
tests_unit_check_mgr_rate_SOURCES = tests/unit/check_mgr_rate.c
tests_unit_check_mgr_rate_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_rate_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_mgr_rate_LDADD = manager/libmgrcore.a lib/libvirtsight.a $(CHECK_LIBS) -lm

include manager/config.mk
include manager/snmp.mk
include manager/lv.mk
include manager/rrd.mk
include manager/alarm.mk

check_PROGRAMS += tests/unit/check_mgr_core
TESTS += tests/unit/check_mgr_core
tests_unit_check_mgr_core_SOURCES = tests/unit/check_mgr_core.c
tests_unit_check_mgr_core_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_core_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_mgr_core_LDADD = manager/libmgrcore.a lib/libvirtsight.a $(CHECK_LIBS) \
	$(JSONC_LIBS) -lm
include manager/daemon.mk
