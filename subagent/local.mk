# subagent/: virtsight-subagent. The SNMP side (tables served from snapshots) is a convenience
# library so that its unit tests link it without the daemon; the sampler side is in sampler.mk.
noinst_LIBRARIES += subagent/libsasnmp.a
subagent_libsasnmp_a_SOURCES = \
	subagent/sa_table.c subagent/sa_table.h \
	subagent/sa_mib.c subagent/sa_mib.h subagent/sa_mib_int.h \
	subagent/sa_mib_vm.c subagent/sa_mib_dev.c subagent/sa_mib_set.c \
	subagent/sa_notify.c subagent/sa_notify.h
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
tests_unit_check_sa_table_LDADD = subagent/libsasnmp.a subagent/libsasampler.a \
	lib/libvirtsight.a $(CHECK_LIBS) $(NETSNMP_AGENT_LIBS) $(LIBVIRT_LIBS) $(LIBXML_LIBS) \
	-lpthread

# The daemon.
sbin_PROGRAMS = subagent/virtsight-subagent
subagent_virtsight_subagent_SOURCES = subagent/sa_main.c subagent/sa_config.c \
	subagent/sa_config.h subagent/sa_log.c subagent/sa_log.h
nodist_subagent_virtsight_subagent_SOURCES = lib/vs_mib.h
subagent_virtsight_subagent_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/subagent
subagent_virtsight_subagent_CFLAGS = $(AM_CFLAGS) $(NETSNMP_AGENT_CFLAGS) $(LIBVIRT_CFLAGS)
subagent_virtsight_subagent_LDADD = subagent/libsasnmp.a subagent/libsasampler.a \
	lib/libvirtsight.a $(NETSNMP_AGENT_LIBS) $(LIBVIRT_LIBS) $(LIBXML_LIBS) -lpthread

man_MANS = man/virtsight-subagent.8
dist_doc_DATA = contrib/virtsight-subagent.conf contrib/snmpd.conf
EXTRA_DIST += man/virtsight-subagent.8.in
DISTCLEANFILES += man/virtsight-subagent.8

# Integration tests of the daemon, with a real master and libvirt.
VS_SUBAGENT_TESTS = \
	tests/subagent/config.test \
	tests/subagent/daemon.test \
	tests/subagent/restart.test \
	tests/subagent/hang.test \
	tests/subagent/walk.test \
	tests/subagent/pysnmp.test \
	tests/subagent/requests.test \
	tests/subagent/notify.test \
	tests/subagent/noevents.test \
	tests/subagent/lifecycle.test \
	tests/subagent/control.test \
	tests/subagent/fuzz.test
TESTS += $(VS_SUBAGENT_TESTS)
EXTRA_DIST += $(VS_SUBAGENT_TESTS) tests/subagent/compare_virsh.py \
	tests/subagent/latency_probe.py tests/subagent/extra-vm.xml tests/subagent/pysnmp_walk.py \
	tests/subagent/set_fuzz.py
