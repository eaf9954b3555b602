# lib/conf.mk: libvsconf, what the programs' XML configuration readers share: options tables,
# file:line problem reports, the strict XML loader and RELAX NG validation, secret files, and the
# <notifiers> element (reader, name checks, the notifier made from each) with its RELAX NG
# definitions (lib/vs-notifiers.rng). A program links lib/libvsconf.a before lib/libvsnotify.a
# and lib/libvirtsight.a, and adds $(LIBXML_LIBS).
noinst_LIBRARIES += lib/libvsconf.a
lib_libvsconf_a_SOURCES = \
	lib/vs_conf.h lib/vs_conf_attr.c lib/vs_conf_xml.c lib/vs_conf_secret.c \
	lib/vs_conf_notify.h lib/vs_conf_notify.c lib/vs_conf_notify_make.c
lib_libvsconf_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(JSONC_CFLAGS) $(LIBESMTP_CFLAGS) \
	$(LIBCURL_CFLAGS) $(NETSNMP_CFLAGS)

# The shared notifier definitions, put into each program's schema (not installed by themselves:
# each installed schema is whole).
EXTRA_DIST += lib/vs-notifiers.rng

# $(VS_RNG_MERGE) TEMPLATE >OUT: TEMPLATE with its line holding @VS_NOTIFIERS_RNG@ replaced by
# the lines of lib/vs-notifiers.rng between its <grammar> and </grammar> tags. Fails when the
# marker or the fragment is missing, so that a schema never silently lacks the definitions.
VS_RNG_MERGE = $(AWK) -v frag='$(top_srcdir)/lib/vs-notifiers.rng' \
	'/@VS_NOTIFIERS_RNG@/ { \
	    while ((r = (getline l <frag)) > 0) { \
	        if (l ~ /^<\/grammar>/) on = 0; \
	        if (on) print l; \
	        if (l ~ /^<grammar[ >]/) on = 1; \
	    } \
	    if (r < 0) exit 2; \
	    done++; next \
	}; \
	{ print }; \
	END { if (done != 1) exit 3 }'

# $(VS_RNG_TO_C) SCHEMA: each line of SCHEMA as a C string literal (backslashes and double
# quotes escaped, trailing blanks dropped), for a schema compiled into a program.
VS_RNG_TO_C = $(SED) -e 's/[[:space:]]*$$//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	-e 's/^/    "/' -e 's/$$/\\n"/'

# The library in isolation: a tiny schema and options table, secret files, <notifiers>.
check_PROGRAMS += tests/unit/check_vs_conf
TESTS += tests/unit/check_vs_conf
tests_unit_check_vs_conf_SOURCES = tests/unit/check_vs_conf.c
tests_unit_check_vs_conf_CFLAGS = $(VS_UNIT_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_check_vs_conf_LDADD = lib/libvsconf.a lib/libvirtsight.a $(LIBXML_LIBS) $(CHECK_LIBS)
