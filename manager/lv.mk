# manager/lv.mk: (filled in by the lv part)
