# lib/mail.mk: (filled by its part)
