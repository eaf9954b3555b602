# mib/: the MIB modules (installed for NMSs and the CLI tools) and the generator that turns them
# into the C header every program takes its OIDs from.
VS_MIB_FILES = mib/VIRTSIGHT-SMI-MIB.txt mib/VIRTSIGHT-MIB.txt
dist_mib_DATA = $(VS_MIB_FILES)

noinst_PROGRAMS += mib/vs-mib2h
mib_vs_mib2h_SOURCES = mib/vs-mib2h.c
mib_vs_mib2h_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
mib_vs_mib2h_LDADD = $(NETSNMP_LIBS)

# The OID header: regenerated whenever a MIB module or the generator changes.
lib/vs_mib.h: mib/vs-mib2h$(EXEEXT) $(VS_MIB_FILES)
	$(AM_V_GEN)$(MKDIR_P) lib && \
	MIBDIRS='$(VS_MIBDIRS)' ./mib/vs-mib2h$(EXEEXT) \
	    VIRTSIGHT-MIB virtsight VS_MIB_H > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += lib/vs_mib.h
CLEANFILES += lib/vs_mib.h lib/vs_mib.h.tmp

# make installcheck (run by distcheck): the installed MIB files are where Net-SNMP looks for
# them, and load from there.
installcheck-local:
	@for f in $(VS_MIB_FILES); do \
	    b=`basename $$f`; \
	    test -f "$(DESTDIR)$(mibdir)/$$b" || { echo "$$b not installed in $(mibdir)"; exit 1; }; \
	done
	@SNMP_PERSISTENT_DIR=`mktemp -d` SNMPCONFPATH=/nonexistent \
	    MIBDIRS='$(DESTDIR)$(mibdir):$(IETF_MIBDIR):$(NETSNMP_MIBDIR)' \
	    $(SNMPTRANSLATE) -m VIRTSIGHT-MIB -On -IR vsVmAdminState | grep -q '^\.1\.3\.6\.1\.' \
	    || { echo "the installed VIRTSIGHT-MIB does not load"; exit 1; }
	@echo "installcheck: MIB files installed in $(mibdir) and loadable"
