# manager/daemon.mk: the virtsight-manager program and its integration tests.
sbin_PROGRAMS += manager/virtsight-manager
manager_virtsight_manager_SOURCES = manager/mgr_main.c
manager_virtsight_manager_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/manager
manager_virtsight_manager_LDADD = manager/libmgrcore.a manager/libmgrconfig.a \
	manager/libmgrsnmp.a manager/libmgrlv.a manager/libmgrrrd.a manager/libmgrcore.a \
	lib/libvirtsight.a $(NETSNMP_LIBS) $(LIBVIRT_LIBS) $(LIBRRD_LIBS) $(LIBXML_LIBS) \
	$(JSONC_LIBS) -lpthread -lm

VS_MANAGER_TESTS = \
	tests/manager/once.test \
	tests/manager/daemon.test \
	tests/manager/cli.test \
	tests/manager/shard.test
TESTS += $(VS_MANAGER_TESTS)
EXTRA_DIST += $(VS_MANAGER_TESTS) tests/manager/pass_value.sh

man_MANS += man/virtsight-manager.8
EXTRA_DIST += man/virtsight-manager.8.in tests/lib/vs-test-manager.sh
DISTCLEANFILES += man/virtsight-manager.8
