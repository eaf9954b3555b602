# lib/trapsend.mk: (filled by its part)
