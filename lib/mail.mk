# lib/mail.mk: the e-mail notifier (libESMTP; OpenSSL for the STARTTLS context it is given).
lib_libvsnotify_a_SOURCES += lib/vs_mail.c lib/vs_mail_fmt.c lib/vs_mail.h
# libESMTP's pkg-config file names OpenSSL only as a private requirement; vs_mail.c calls it.
VS_NOTIFY_LIBS += $(OPENSSL_LIBS)

check_PROGRAMS += tests/unit/check_vs_mail
TESTS += tests/unit/check_vs_mail
tests_unit_check_vs_mail_SOURCES = tests/unit/check_vs_mail.c
tests_unit_check_vs_mail_CFLAGS = $(VS_UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_check_vs_mail_LDADD = $(VS_NOTIFY_LIBS) $(CHECK_LIBS)

# Integration test: mail_drive sends one message through the notifier to the SMTP sink.
check_PROGRAMS += tests/notify/mail_drive
tests_notify_mail_drive_SOURCES = tests/notify/mail_drive.c
tests_notify_mail_drive_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_notify_mail_drive_LDADD = $(VS_NOTIFY_LIBS)
TESTS += tests/notify/mail.test
EXTRA_DIST += tests/notify/mail.test
