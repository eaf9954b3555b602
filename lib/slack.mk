# lib/slack.mk: (filled by its part)
