# trap-handlers/: the input side of virtsight-traphandle: the parser of snmptrapd's handler
# input, the renderer of traps into messages, and the MIB name table both use, generated from
# the MIB modules at build time so nothing reads a MIB at run time.

# The generator, run at build time against the MIB modules.
noinst_PROGRAMS += trap-handlers/th-mib2tab
trap_handlers_th_mib2tab_SOURCES = trap-handlers/th-mib2tab.c
trap_handlers_th_mib2tab_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
trap_handlers_th_mib2tab_LDADD = $(NETSNMP_LIBS)

# Names, OIDs, syntaxes, enumerations and notification objects the trap handler knows.
TH_MIB_MODULES = SNMPv2-MIB:IF-MIB:NET-SNMP-MIB:VIRTSIGHT-MIB
trap-handlers/th_mibtab.h: trap-handlers/th-mib2tab$(EXEEXT) $(VS_MIB_FILES)
	$(AM_V_GEN)$(MKDIR_P) trap-handlers && \
	MIBDIRS='$(VS_MIBDIRS)' ./trap-handlers/th-mib2tab$(EXEEXT) '$(TH_MIB_MODULES)' \
	    > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += trap-handlers/th_mibtab.h
CLEANFILES += trap-handlers/th_mibtab.h trap-handlers/th_mibtab.h.tmp

TH_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/trap-handlers -I$(top_srcdir)/trap-handlers

# Parser, renderer and table, linked by virtsight-traphandle and the tests.
noinst_LIBRARIES += trap-handlers/libthinput.a
trap_handlers_libthinput_a_SOURCES = \
	trap-handlers/th_input.c trap-handlers/th_input.h \
	trap-handlers/th_mib.c trap-handlers/th_mib.h \
	trap-handlers/th_render.c trap-handlers/th_render.h
nodist_trap_handlers_libthinput_a_SOURCES = trap-handlers/th_mibtab.h lib/vs_mib.h
trap_handlers_libthinput_a_CPPFLAGS = $(TH_CPPFLAGS)
trap_handlers_libthinput_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
# What a program that links the input side needs after its own objects.
TH_INPUT_LIBS = trap-handlers/libthinput.a $(VS_NOTIFY_LIBS)

# Unit tests: every recorded snmptrapd input, hostile input and limits; rendering.
TH_DATA_CPPFLAGS = $(TH_CPPFLAGS) -DTH_TEST_DIR='"$(abs_top_srcdir)/tests/traphandle"'
check_PROGRAMS += tests/unit/check_th_input tests/unit/check_th_render
TESTS += tests/unit/check_th_input tests/unit/check_th_render
tests_unit_check_th_input_SOURCES = tests/unit/check_th_input.c
tests_unit_check_th_input_CPPFLAGS = $(TH_DATA_CPPFLAGS)
tests_unit_check_th_input_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_th_input_LDADD = $(TH_INPUT_LIBS) $(CHECK_LIBS)
tests_unit_check_th_render_SOURCES = tests/unit/check_th_render.c
nodist_tests_unit_check_th_render_SOURCES = trap-handlers/th_mibtab.h lib/vs_mib.h
tests_unit_check_th_render_CPPFLAGS = $(TH_DATA_CPPFLAGS)
tests_unit_check_th_render_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_th_render_LDADD = $(TH_INPUT_LIBS) $(CHECK_LIBS)

# Integration tests: today's snmptrapd against the parser; the fuzzer over the recordings.
check_PROGRAMS += tests/traphandle/th_dump
tests_traphandle_th_dump_SOURCES = tests/traphandle/th_dump.c
tests_traphandle_th_dump_CPPFLAGS = $(TH_CPPFLAGS)
tests_traphandle_th_dump_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_traphandle_th_dump_LDADD = $(TH_INPUT_LIBS)
TH_INTEGRATION_TESTS = tests/traphandle/live.test tests/traphandle/table.test \
	tests/traphandle/fuzz.test
TESTS += $(TH_INTEGRATION_TESTS)
EXTRA_DIST += $(TH_INTEGRATION_TESTS) tests/traphandle/record.sh trap-handlers/th_fuzz.c \
	tests/traphandle/data tests/traphandle/regress

# make fuzz-traphandle: the libFuzzer target, built with clang whatever CC is (configure does
# not look for clang; tests/traphandle/fuzz.test checks for it and says what to install).
TH_FUZZ_CC = clang
TH_FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
TH_FUZZ_SRC = trap-handlers/th_fuzz.c trap-handlers/th_input.c trap-handlers/th_mib.c \
	trap-handlers/th_render.c lib/vs_msg.c lib/vs_buf.c lib/vs_num.c
trap-handlers/th-fuzz: $(TH_FUZZ_SRC:%=$(top_srcdir)/%) trap-handlers/th_mibtab.h \
		lib/vs_mib.h config.h
	$(AM_V_CC)$(TH_FUZZ_CC) $(TH_FUZZ_FLAGS) -I$(top_builddir) $(TH_CPPFLAGS) $(JSONC_CFLAGS) \
	    -o $@ $(TH_FUZZ_SRC:%=$(top_srcdir)/%) $(JSONC_LIBS)
fuzz-traphandle: trap-handlers/th-fuzz
.PHONY: fuzz-traphandle
CLEANFILES += trap-handlers/th-fuzz

# Routing: which configured routes a trap takes (OID, source network, varbind values), dedupe
# and rate limits shared by the handler processes through a locked state file, and the
# log-file action. Pure of configuration syntax: the loader fills th_route structs.
noinst_LIBRARIES += trap-handlers/libthroute.a
trap_handlers_libthroute_a_SOURCES = \
	trap-handlers/th_route.c trap-handlers/th_route.h \
	trap-handlers/th_route_state.c trap-handlers/th_route_state.h \
	trap-handlers/th_logfile.c trap-handlers/th_logfile.h
trap_handlers_libthroute_a_CPPFLAGS = $(TH_CPPFLAGS)
trap_handlers_libthroute_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
# What a program that routes traps needs after its own objects (-lm: fmax, floor).
TH_ROUTE_LIBS = trap-handlers/libthroute.a $(TH_INPUT_LIBS) -lm

check_PROGRAMS += tests/unit/check_th_route
TESTS += tests/unit/check_th_route
tests_unit_check_th_route_SOURCES = tests/unit/check_th_route.c
tests_unit_check_th_route_CPPFLAGS = $(TH_CPPFLAGS)
tests_unit_check_th_route_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_th_route_LDADD = $(TH_ROUTE_LIBS) $(CHECK_LIBS)

# The configuration: options tables and routes (MIB names resolved through th_mib), on
# lib/libvsconf.a, with its RELAX NG schema compiled in.
noinst_LIBRARIES += trap-handlers/libthconfig.a
trap_handlers_libthconfig_a_SOURCES = \
	trap-handlers/th_config.c trap-handlers/th_config.h trap-handlers/th_config_int.h \
	trap-handlers/th_config_route.c
nodist_trap_handlers_libthconfig_a_SOURCES = trap-handlers/th_schema.c
trap_handlers_libthconfig_a_CPPFLAGS = $(TH_CPPFLAGS)
trap_handlers_libthconfig_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(JSONC_CFLAGS)
# What a program that loads the configuration and routes needs after its own objects.
TH_CONFIG_LIBS = trap-handlers/libthconfig.a lib/libvsconf.a $(TH_ROUTE_LIBS) $(LIBXML_LIBS)

# The schema: virtsight-traphandle.rng.in with the notifier definitions every program shares
# (lib/vs-notifiers.rng) put in at its marker; kept in the source tree, distributed, installed.
$(top_srcdir)/trap-handlers/virtsight-traphandle.rng: \
		$(top_srcdir)/trap-handlers/virtsight-traphandle.rng.in $(top_srcdir)/lib/vs-notifiers.rng
	$(AM_V_GEN)$(VS_RNG_MERGE) $(top_srcdir)/trap-handlers/virtsight-traphandle.rng.in \
	    >$@-t$$$$ && mv -f $@-t$$$$ $@
EXTRA_DIST += trap-handlers/virtsight-traphandle.rng.in

# The schema as one C string: the program never reads it from disk.
trap-handlers/th_schema.c: $(top_srcdir)/trap-handlers/virtsight-traphandle.rng
	$(AM_V_GEN)$(MKDIR_P) trap-handlers && { \
	  echo '/* th_schema.c: generated by make from virtsight-traphandle.rng; do not edit. */'; \
	  echo '#include "config.h"'; \
	  echo ''; \
	  echo '#include "th_config.h"'; \
	  echo ''; \
	  echo '/* clang-format off */'; \
	  echo 'const char th_schema_rng[] ='; \
	  $(VS_RNG_TO_C) $(top_srcdir)/trap-handlers/virtsight-traphandle.rng; \
	  echo '    "";'; \
	  echo 'const size_t th_schema_rng_len = sizeof(th_schema_rng) - 1;'; \
	  echo '/* clang-format on */'; \
	} >$@-t && mv $@-t $@
CLEANFILES += trap-handlers/th_schema.c trap-handlers/th_schema.c-t

# The program: the handler snmptrapd runs per trap, and (--spool-runner) the delivery daemon.
bin_PROGRAMS = trap-handlers/virtsight-traphandle
trap_handlers_virtsight_traphandle_SOURCES = trap-handlers/th_main.c \
	trap-handlers/th_handle.c trap-handlers/th_handle.h \
	trap-handlers/th_runner.c trap-handlers/th_runner.h
trap_handlers_virtsight_traphandle_CPPFLAGS = $(TH_CPPFLAGS)
trap_handlers_virtsight_traphandle_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(NETSNMP_CFLAGS)
trap_handlers_virtsight_traphandle_LDADD = $(TH_CONFIG_LIBS)

# Installed: the schema under $(pkgdatadir); the sample configuration, the spool runner's
# systemd unit and the snmptrapd.conf snippet beside the other documentation; the man page.
thschemadir = $(pkgdatadir)
dist_thschema_DATA = trap-handlers/virtsight-traphandle.rng
thdocdir = $(docdir)
dist_thdoc_DATA = contrib/virtsight-traphandle.xml contrib/virtsight-traphandle-spool.service \
	contrib/snmptrapd.conf.traphandle
man_MANS += man/virtsight-traphandle.8
EXTRA_DIST += man/virtsight-traphandle.8.in
DISTCLEANFILES += man/virtsight-traphandle.8

check_PROGRAMS += tests/unit/check_th_config
TESTS += tests/unit/check_th_config
tests_unit_check_th_config_SOURCES = tests/unit/check_th_config.c trap-handlers/th_handle.c
tests_unit_check_th_config_CPPFLAGS = $(TH_CPPFLAGS)
tests_unit_check_th_config_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_th_config_LDADD = $(TH_CONFIG_LIBS) $(CHECK_LIBS)

# Integration tests of the program under a real snmptrapd, with a spool runner and SMTP and
# HTTP sinks: routing and rendering per channel (v1, v2c, v3 inform, drop, dedupe, rate, both
# input formattings, hostile strings), the subagent end to end, and a burst of informs.
TH_PROGRAM_TESTS = tests/traphandle/route.test tests/traphandle/e2e.test \
	tests/traphandle/burst.test
TESTS += $(TH_PROGRAM_TESTS)
EXTRA_DIST += $(TH_PROGRAM_TESTS) tests/traphandle/th-test.sh tests/traphandle/th-timed.sh \
	tests/traphandle/th_msgs.py
