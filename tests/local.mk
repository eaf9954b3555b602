# tests/local.mk: the helper tests of tests/lib/vs-test.sh, the bash library
# that starts real daemons (snmpd, snmptrapd, rrdcached, libvirtd, SMTP and
# HTTP sinks) for integration tests.  Included from the top-level Makefile.am.
# Each test runs alone too: make check TESTS=tests/helper-snmpd.test

VS_HELPER_TESTS = \
    tests/helper-snmpd.test \
    tests/helper-snmptrapd.test \
    tests/helper-rrdcached.test \
    tests/helper-libvirtd.test \
    tests/helper-smtp-sink.test \
    tests/helper-http-sink.test \
    tests/helper-cleanup.test

TESTS += $(VS_HELPER_TESTS)

EXTRA_DIST += \
    $(VS_HELPER_TESTS) \
    tests/lib/vs-test.sh \
    tests/lib/vs-test-snmp.sh \
    tests/lib/vs-test-services.sh \
    tests/lib/vs-test-subagent.sh \
    tests/lib/smtp_sink.py \
    tests/lib/http_sink.py \
    tests/lib/trap_spool.sh
