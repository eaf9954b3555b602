# lib/: code the programs share. Built as a convenience library and linked into each program.
noinst_LIBRARIES += lib/libvirtsight.a
lib_libvirtsight_a_SOURCES = \
	lib/vs_arena.c lib/vs_arena.h \
	lib/vs_buf.c lib/vs_buf.h \
	lib/vs_daemon.c lib/vs_daemon.h \
	lib/vs_libvirt.c lib/vs_libvirt.h \
	lib/vs_log.c lib/vs_log.h \
	lib/vs_num.c lib/vs_num.h \
	lib/vs_snmplock.c lib/vs_snmplock.h \
	lib/vs_vmstate.c lib/vs_vmstate.h
lib_libvirtsight_a_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
nodist_lib_libvirtsight_a_SOURCES = lib/vs_mib.h

# libvsnotify: messages, the durable spool and the notifiers (e-mail, Slack, SNMP trap/inform),
# shared by virtsight-manager and virtsight-traphandle. Each part adds its sources from its own
# fragment below.
noinst_LIBRARIES += lib/libvsnotify.a
lib_libvsnotify_a_SOURCES = lib/vs_msg.h lib/vs_notify.h
nodist_lib_libvsnotify_a_SOURCES = lib/vs_mib.h
lib_libvsnotify_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(LIBESMTP_CFLAGS) $(LIBCURL_CFLAGS) \
	$(NETSNMP_CFLAGS) $(LIBXML_CFLAGS) $(OPENSSL_CFLAGS)
# Net-SNMP's client set-up (quiet, nothing on disk, its log in ours), here for its CFLAGS: the
# manager's poller and the trap notifiers of both programs use it.
lib_libvsnotify_a_SOURCES += lib/vs_netsnmp.c lib/vs_netsnmp.h lib/vs_usm.h
# What a program that links lib/libvsnotify.a needs after it.
VS_NOTIFY_LIBS = lib/libvsnotify.a lib/libvirtsight.a $(JSONC_LIBS) $(LIBESMTP_LIBS) \
	$(LIBCURL_LIBS) $(NETSNMP_LIBS) -lpthread -lm

include lib/spool.mk
include lib/mail.mk
include lib/slack.mk
include lib/trapsend.mk
include lib/conf.mk

# The load skeleton the programs' configuration readers share (libxml2: with libvsconf).
lib_libvsconf_a_SOURCES += lib/vs_conf_load.c
