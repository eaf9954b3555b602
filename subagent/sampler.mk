# subagent/sampler.mk: the subagent's libvirt side as a convenience library (hypervisor contexts
# and their sampler threads, samples, snapshots, the VM index map) and its unit tests.
noinst_LIBRARIES += subagent/libsasampler.a
subagent_libsasampler_a_SOURCES = \
	subagent/sa_bulk.c subagent/sa_bulk.h \
	subagent/sa_ctl.c subagent/sa_ctl.h \
	subagent/sa_domxml.c subagent/sa_domxml.h \
	subagent/sa_host.c subagent/sa_host.h \
	subagent/sa_hv.c subagent/sa_hv.h \
	subagent/sa_names.c subagent/sa_names.h \
	subagent/sa_sample.c subagent/sa_sample.h \
	subagent/sa_snapshot.c subagent/sa_snapshot.h \
	subagent/sa_vmindex.c subagent/sa_vmindex.h
nodist_subagent_libsasampler_a_SOURCES = lib/vs_mib.h
subagent_libsasampler_a_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS) $(LIBXML_CFLAGS)

SA_SAMPLER_UNIT_TESTS = \
	tests/unit/check_sa_names \
	tests/unit/check_sa_domxml \
	tests/unit/check_sa_vmindex \
	tests/unit/check_sa_sample \
	tests/unit/check_sa_hv
check_PROGRAMS += $(SA_SAMPLER_UNIT_TESTS)
TESTS += $(SA_SAMPLER_UNIT_TESTS)
EXTRA_DIST += tests/data/node-mixed.xml

SA_SAMPLER_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/subagent
SA_SAMPLER_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBVIRT_CFLAGS) $(LIBXML_CFLAGS)
SA_SAMPLER_UNIT_LDADD = subagent/libsasampler.a lib/libvirtsight.a $(LIBVIRT_LIBS) \
	$(LIBXML_LIBS) $(CHECK_LIBS) -lpthread

tests_unit_check_sa_names_SOURCES = tests/unit/check_sa_names.c
tests_unit_check_sa_names_CPPFLAGS = $(SA_SAMPLER_UNIT_CPPFLAGS)
tests_unit_check_sa_names_CFLAGS = $(SA_SAMPLER_UNIT_CFLAGS)
tests_unit_check_sa_names_LDADD = $(SA_SAMPLER_UNIT_LDADD)

tests_unit_check_sa_domxml_SOURCES = tests/unit/check_sa_domxml.c
tests_unit_check_sa_domxml_CPPFLAGS = $(SA_SAMPLER_UNIT_CPPFLAGS)
tests_unit_check_sa_domxml_CFLAGS = $(SA_SAMPLER_UNIT_CFLAGS)
tests_unit_check_sa_domxml_LDADD = $(SA_SAMPLER_UNIT_LDADD)

tests_unit_check_sa_vmindex_SOURCES = tests/unit/check_sa_vmindex.c
tests_unit_check_sa_vmindex_CPPFLAGS = $(SA_SAMPLER_UNIT_CPPFLAGS)
tests_unit_check_sa_vmindex_CFLAGS = $(SA_SAMPLER_UNIT_CFLAGS)
tests_unit_check_sa_vmindex_LDADD = $(SA_SAMPLER_UNIT_LDADD)

tests_unit_check_sa_sample_SOURCES = tests/unit/check_sa_sample.c
nodist_tests_unit_check_sa_sample_SOURCES = lib/vs_mib.h
tests_unit_check_sa_sample_CPPFLAGS = $(SA_SAMPLER_UNIT_CPPFLAGS)
tests_unit_check_sa_sample_CFLAGS = $(SA_SAMPLER_UNIT_CFLAGS)
tests_unit_check_sa_sample_LDADD = $(SA_SAMPLER_UNIT_LDADD)

tests_unit_check_sa_hv_SOURCES = tests/unit/check_sa_hv.c
nodist_tests_unit_check_sa_hv_SOURCES = lib/vs_mib.h
tests_unit_check_sa_hv_CPPFLAGS = $(SA_SAMPLER_UNIT_CPPFLAGS)
tests_unit_check_sa_hv_CFLAGS = $(SA_SAMPLER_UNIT_CFLAGS)
tests_unit_check_sa_hv_LDADD = $(SA_SAMPLER_UNIT_LDADD)
