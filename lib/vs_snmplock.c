/* vs_snmplock: the process-wide lock around Net-SNMP's global state. */
#include "vs_snmplock.h"

#include <pthread.h>

static pthread_mutex_t netsnmp_mutex = PTHREAD_MUTEX_INITIALIZER;

void vs_netsnmp_lock(void)
{
    pthread_mutex_lock(&netsnmp_mutex);
}

void vs_netsnmp_unlock(void)
{
    pthread_mutex_unlock(&netsnmp_mutex);
}
