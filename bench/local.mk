# bench/: the benchmark tools, built with the tree (and its warnings) so that they cannot rot;
# the benchmarks themselves (bench/*.sh) are run by hand and never by make check.
noinst_PROGRAMS += bench/floor-subagent bench/get-probe
bench_floor_subagent_SOURCES = bench/floor-subagent.c
bench_floor_subagent_CFLAGS = $(AM_CFLAGS) $(NETSNMP_AGENT_CFLAGS)
bench_floor_subagent_LDADD = lib/libvirtsight.a $(NETSNMP_AGENT_LIBS)
bench_get_probe_SOURCES = bench/get-probe.c
bench_get_probe_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
bench_get_probe_LDADD = lib/libvirtsight.a $(NETSNMP_LIBS)
EXTRA_DIST += bench/subagent.sh bench/subagent-profile.sh bench/FLOOR-MIB.txt \
	bench/manager.sh bench/manager-gen.py bench/manager-run.py \
	bench/alert.sh bench/alert-lat.py bench/alert-pass.py
