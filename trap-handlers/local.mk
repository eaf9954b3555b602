# trap-handlers/local.mk: (filled by its part)
