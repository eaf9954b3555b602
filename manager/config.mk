# manager/config.mk: (filled in by the config part)
