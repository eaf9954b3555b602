# manager/rrd.mk: the RRD writer (direct librrd or our own rrdcached BATCH client), its unit
# test, its driver and integration test, and its benchmark tool.
noinst_LIBRARIES += manager/libmgrrrd.a
manager_libmgrrrd_a_SOURCES = \
	manager/mgr_rrd.c manager/mgr_rrd.h manager/mgr_rrd_int.h \
	manager/mgr_rrd_fmt.c manager/mgr_rrd_files.c \
	manager/mgr_rrd_direct.c manager/mgr_rrd_cached.c \
	manager/mgr_rrdcached.c manager/mgr_rrdcached.h
manager_libmgrrrd_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_libmgrrrd_a_CFLAGS = $(AM_CFLAGS) $(LIBRRD_CFLAGS)

VS_MGR_RRD_LDADD = manager/libmgrrrd.a manager/libmgrcore.a lib/libvirtsight.a \
	$(LIBRRD_LIBS) -lpthread -lm

check_PROGRAMS += tests/unit/check_mgr_rrd
TESTS += tests/unit/check_mgr_rrd
tests_unit_check_mgr_rrd_SOURCES = tests/unit/check_mgr_rrd.c
tests_unit_check_mgr_rrd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_rrd_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_mgr_rrd_LDADD = $(VS_MGR_RRD_LDADD) $(CHECK_LIBS)

# The driver is built for tests/manager/rrd.test, not run as a test itself.
check_PROGRAMS += tests/manager/mgr_rrd_drive
tests_manager_mgr_rrd_drive_SOURCES = tests/manager/mgr_rrd_drive.c
tests_manager_mgr_rrd_drive_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_manager_mgr_rrd_drive_LDADD = $(VS_MGR_RRD_LDADD)
TESTS += tests/manager/rrd.test
EXTRA_DIST += tests/manager/rrd.test

# bench/rrd.sh runs bench/rrd-updates (never part of make check).
noinst_PROGRAMS += bench/rrd-updates
bench_rrd_updates_SOURCES = bench/rrd-updates.c
bench_rrd_updates_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
bench_rrd_updates_CFLAGS = $(AM_CFLAGS) $(LIBRRD_CFLAGS)
bench_rrd_updates_LDADD = $(VS_MGR_RRD_LDADD)
EXTRA_DIST += bench/rrd.sh
