# manager/alarm.mk: (filled by its part)
