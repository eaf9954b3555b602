# mibs-test/: lint, load and OID-agreement checks of the MIB, run by make check.
VS_MIB_TESTS = \
	mibs-test/smilint.test \
	mibs-test/translate.test \
	mibs-test/oids.test \
	mibs-test/ietf-mibs.test \
	mibs-test/broken-mib.test \
	mibs-test/root-move.test
TESTS += $(VS_MIB_TESTS)
EXTRA_DIST += $(VS_MIB_TESTS) mibs-test/mibs-lib.sh
