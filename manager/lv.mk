# manager/lv.mk: the libvirt poller (worker pool, per-host connections, watchdog) as a
# convenience library, its unit test, the driver program and the integration test.
noinst_LIBRARIES += manager/libmgrlv.a
manager_libmgrlv_a_SOURCES = \
	manager/mgr_lv.c manager/mgr_lv.h manager/mgr_lv_int.h \
	manager/mgr_lv_host.c \
	manager/mgr_lv_stats.c manager/mgr_lv_stats.h
nodist_manager_libmgrlv_a_SOURCES = lib/vs_mib.h
manager_libmgrlv_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager -I$(top_builddir)/lib
manager_libmgrlv_a_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)

MGR_LV_LDADD = manager/libmgrlv.a manager/libmgrcore.a lib/libvirtsight.a $(LIBVIRT_LIBS) \
	-lpthread -lm

check_PROGRAMS += tests/unit/check_mgr_lv tests/manager/mgr_lv_drive
TESTS += tests/unit/check_mgr_lv tests/manager/libvirt.test
EXTRA_DIST += tests/manager/libvirt.test

tests_unit_check_mgr_lv_SOURCES = tests/unit/check_mgr_lv.c
nodist_tests_unit_check_mgr_lv_SOURCES = lib/vs_mib.h
tests_unit_check_mgr_lv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_lv_CFLAGS = $(VS_UNIT_CFLAGS) $(LIBVIRT_CFLAGS)
tests_unit_check_mgr_lv_LDADD = $(MGR_LV_LDADD) $(CHECK_LIBS)

tests_manager_mgr_lv_drive_SOURCES = tests/manager/mgr_lv_drive.c
tests_manager_mgr_lv_drive_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_manager_mgr_lv_drive_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
tests_manager_mgr_lv_drive_LDADD = $(MGR_LV_LDADD)
