# lib/spool.mk: messages (vs_msg), the durable spool and its delivery threads.
lib_libvsnotify_a_SOURCES += lib/vs_msg.c
