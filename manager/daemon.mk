# manager/daemon.mk: the virtsight-manager program and its integration tests.
sbin_PROGRAMS += manager/virtsight-manager
manager_virtsight_manager_SOURCES = manager/mgr_main.c
manager_virtsight_manager_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_virtsight_manager_LDADD = manager/libmgrcore.a manager/libmgralert.a \
	manager/libmgrconfig.a manager/libmgralarm.a manager/libmgrsnmp.a manager/libmgrlv.a \
	manager/libmgrrrd.a manager/libmgrcore.a lib/libvsconf.a $(VS_NOTIFY_LIBS) $(LIBVIRT_LIBS) \
	$(LIBRRD_LIBS) $(LIBXML_LIBS)

# The alerting glue: notifiers, spool and threshold engine for the core.
noinst_LIBRARIES += manager/libmgralert.a
manager_libmgralert_a_SOURCES = manager/mgr_alert.c manager/mgr_alert.h
nodist_manager_libmgralert_a_SOURCES = lib/vs_mib.h
manager_libmgralert_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_libmgralert_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(NETSNMP_CFLAGS) $(LIBESMTP_CFLAGS) \
	$(LIBCURL_CFLAGS)

VS_MANAGER_TESTS = \
	tests/manager/once.test \
	tests/manager/daemon.test \
	tests/manager/spread.test \
	tests/manager/cli.test \
	tests/manager/shard.test \
	tests/manager/alert.test \
	tests/manager/alert-group.test
TESTS += $(VS_MANAGER_TESTS)
EXTRA_DIST += $(VS_MANAGER_TESTS) tests/manager/pass_value.sh tests/manager/alert_pass.sh \
	tests/manager/alert_msgs.py

man_MANS += man/virtsight-manager.8
EXTRA_DIST += man/virtsight-manager.8.in tests/lib/vs-test-manager.sh
DISTCLEANFILES += man/virtsight-manager.8
