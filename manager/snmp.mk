# manager/snmp.mk: (filled in by the snmp part)
