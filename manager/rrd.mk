# manager/rrd.mk: (filled in by the rrd part)
