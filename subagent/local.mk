# subagent/: virtsight-subagent. The SNMP side (tables served from snapshots) is a convenience
# library so that its unit tests link it without the daemon; the sampler side is in sampler.mk.
noinst_LIBRARIES += subagent/libsasnmp.a
subagent_libsasnmp_a_SOURCES = \
	subagent/sa_table.c subagent/sa_table.h \
	subagent/sa_mib.c subagent/sa_mib.h subagent/sa_mib_int.h \
	subagent/sa_mib_vm.c subagent/sa_mib_dev.c
nodist_subagent_libsasnmp_a_SOURCES = lib/vs_mib.h
subagent_libsasnmp_a_CFLAGS = $(AM_CFLAGS) $(NETSNMP_AGENT_CFLAGS) $(LIBVIRT_CFLAGS)
subagent_libsasnmp_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/subagent

check_PROGRAMS += tests/unit/check_sa_table
TESTS += tests/unit/check_sa_table
tests_unit_check_sa_table_SOURCES = tests/unit/check_sa_table.c subagent/sa_snapshot.c \
	subagent/sa_snapshot.h
nodist_tests_unit_check_sa_table_SOURCES = lib/vs_mib.h
tests_unit_check_sa_table_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/subagent
tests_unit_check_sa_table_CFLAGS = $(VS_UNIT_CFLAGS) $(NETSNMP_AGENT_CFLAGS)
tests_unit_check_sa_table_LDADD = subagent/libsasnmp.a lib/libvirtsight.a $(CHECK_LIBS) \
	$(NETSNMP_AGENT_LIBS)
