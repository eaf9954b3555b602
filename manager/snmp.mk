# manager/snmp.mk: the SNMP poller (a pool of UDP sockets for SNMPv1/v2c and Net-SNMP's
# asynchronous single-session API for SNMPv3, driven from the core's poll() loop), its unit
# test, the driver program and the integration test.
noinst_LIBRARIES += manager/libmgrsnmp.a
manager_libmgrsnmp_a_SOURCES = \
	manager/mgr_snmp.c manager/mgr_snmp.h \
	manager/mgr_snmp_job.c manager/mgr_snmp_job.h \
	manager/mgr_snmp_walk.c manager/mgr_snmp_map.c manager/mgr_snmp_state.c \
	manager/mgr_snmp_udp.c manager/mgr_snmp_udp.h manager/mgr_snmp_int.h
nodist_manager_libmgrsnmp_a_SOURCES = lib/vs_mib.h
manager_libmgrsnmp_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_libmgrsnmp_a_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)

MGR_SNMP_LDADD = manager/libmgrsnmp.a manager/libmgrcore.a lib/libvsnotify.a lib/libvirtsight.a \
	$(NETSNMP_LIBS) -lm

# Pure helpers: OID -> metric mapping, UUID text, walk verdicts (GETBULK fallback, loops).
check_PROGRAMS += tests/unit/check_mgr_snmp
TESTS += tests/unit/check_mgr_snmp
tests_unit_check_mgr_snmp_SOURCES = tests/unit/check_mgr_snmp.c
nodist_tests_unit_check_mgr_snmp_SOURCES = lib/vs_mib.h
tests_unit_check_mgr_snmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_snmp_CFLAGS = $(VS_UNIT_CFLAGS) $(NETSNMP_CFLAGS)
tests_unit_check_mgr_snmp_LDADD = $(MGR_SNMP_LDADD) $(CHECK_LIBS)

# The UDP pool: address forms, the codec, sockets reused, a poll taking only its answer.
check_PROGRAMS += tests/unit/check_mgr_snmp_udp
TESTS += tests/unit/check_mgr_snmp_udp
tests_unit_check_mgr_snmp_udp_SOURCES = tests/unit/check_mgr_snmp_udp.c
tests_unit_check_mgr_snmp_udp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_unit_check_mgr_snmp_udp_CFLAGS = $(VS_UNIT_CFLAGS) $(NETSNMP_CFLAGS)
tests_unit_check_mgr_snmp_udp_LDADD = $(MGR_SNMP_LDADD) $(CHECK_LIBS)

# The driver the integration test runs (not a test itself).
check_PROGRAMS += tests/manager/mgr_snmp_drive
tests_manager_mgr_snmp_drive_SOURCES = tests/manager/mgr_snmp_drive.c
tests_manager_mgr_snmp_drive_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
tests_manager_mgr_snmp_drive_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
tests_manager_mgr_snmp_drive_LDADD = $(MGR_SNMP_LDADD)

TESTS += tests/manager/snmp.test
EXTRA_DIST += tests/manager/snmp.test tests/manager/snmp_responder.py \
	tests/manager/snmp_ifpass.py
