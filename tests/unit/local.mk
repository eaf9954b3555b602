# tests/unit/: one Check program per module of lib/ (and one for the generated OID header).
VS_UNIT_TESTS = \
	tests/unit/check_vs_arena \
	tests/unit/check_vs_buf \
	tests/unit/check_vs_log \
	tests/unit/check_vs_mib \
	tests/unit/check_vs_num \
	tests/unit/check_vs_vmstate
check_PROGRAMS += $(VS_UNIT_TESTS)
TESTS += $(VS_UNIT_TESTS)
EXTRA_DIST += tests/unit/vs_check.h

VS_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
VS_UNIT_LDADD = lib/libvirtsight.a $(CHECK_LIBS)

tests_unit_check_vs_buf_SOURCES = tests/unit/check_vs_buf.c
tests_unit_check_vs_buf_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_vs_buf_LDADD = $(VS_UNIT_LDADD)

tests_unit_check_vs_log_SOURCES = tests/unit/check_vs_log.c
tests_unit_check_vs_log_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_vs_log_LDADD = $(VS_UNIT_LDADD)

tests_unit_check_vs_mib_SOURCES = tests/unit/check_vs_mib.c
nodist_tests_unit_check_vs_mib_SOURCES = lib/vs_mib.h
tests_unit_check_vs_mib_CFLAGS = $(VS_UNIT_CFLAGS) $(NETSNMP_CFLAGS)
tests_unit_check_vs_mib_LDADD = $(VS_UNIT_LDADD) $(NETSNMP_LIBS)

tests_unit_check_vs_num_SOURCES = tests/unit/check_vs_num.c
tests_unit_check_vs_num_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_vs_num_LDADD = $(VS_UNIT_LDADD)

tests_unit_check_vs_vmstate_SOURCES = tests/unit/check_vs_vmstate.c
nodist_tests_unit_check_vs_vmstate_SOURCES = lib/vs_mib.h
tests_unit_check_vs_vmstate_CFLAGS = $(VS_UNIT_CFLAGS) $(LIBVIRT_CFLAGS)
tests_unit_check_vs_vmstate_LDADD = $(VS_UNIT_LDADD) $(LIBVIRT_LIBS)

tests_unit_check_vs_arena_SOURCES = tests/unit/check_vs_arena.c
tests_unit_check_vs_arena_CFLAGS = $(VS_UNIT_CFLAGS)
tests_unit_check_vs_arena_LDADD = $(VS_UNIT_LDADD)
