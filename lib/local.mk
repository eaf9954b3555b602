# lib/: code the programs share. Built as a convenience library and linked into each program.
noinst_LIBRARIES += lib/libvirtsight.a
lib_libvirtsight_a_SOURCES = \
	lib/vs_arena.c lib/vs_arena.h \
	lib/vs_buf.c lib/vs_buf.h \
	lib/vs_libvirt.c lib/vs_libvirt.h \
	lib/vs_log.c lib/vs_log.h \
	lib/vs_num.c lib/vs_num.h \
	lib/vs_vmstate.c lib/vs_vmstate.h
lib_libvirtsight_a_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
nodist_lib_libvirtsight_a_SOURCES = lib/vs_mib.h
