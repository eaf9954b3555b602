# tests/tooling/: tests of the project's own tools: syntax-check, the summary line, configure's
# messages for missing libraries, and the README demo.
VS_TOOLING_TESTS = \
	tests/tooling/syntax-check.test \
	tests/tooling/test-summary.test \
	tests/tooling/configure-deps.test \
	tests/tooling/demo.test
TESTS += $(VS_TOOLING_TESTS)
EXTRA_DIST += $(VS_TOOLING_TESTS) scripts/demo-run.sh tests/lib/gen_node.py
