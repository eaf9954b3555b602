/* vs_daemon: the PID file lock and the fork with a readiness pipe, as vs_daemon.h says. */
#include <config.h>

#include "vs_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "vs_log.h"

int vs_pid_file_claim(const char *path, const char *who)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    char text[32];

    if (fd < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot open the PID file %s: %s.", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        /* The holder wrote its PID when it took the lock: name it, so the operator can act. */
        ssize_t n = read(fd, text, sizeof(text) - 1);
        text[n > 0 ? n : 0] = '\0';
        text[strcspn(text, "\n")] = '\0';
        VS_LOG(VS_LOG_ERR, NULL, "Another %s (PID %s) holds %s; not starting.", who,
               text[0] != '\0' ? text : "unknown", path);
        close(fd);
        return -1;
    }
    int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot write the PID file %s: %s.", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int vs_daemon_fork(void)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        /* 'y' from the child means it runs; end of file means it died or gave up first. */
        char c = 0;
        ssize_t n;
        close(p[1]);
        while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
            ;
        _exit(n == 1 && c == 'y' ? EXIT_SUCCESS : EXIT_FAILURE);
    }
    close(p[0]);
    setsid();
    if (chdir("/") < 0)
        return -1;
    return p[1];
}

void vs_daemon_ready(int ready_fd)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    ssize_t n = write(ready_fd, "y", 1);
    (void)n;
    close(ready_fd);
}
