/*
 * An LD_PRELOAD shim for the fault-injection tests (Tests/EndToEndTests/
 * FaultInjectionTests.swift, Docs/reliability.md). It interposes the system calls that
 * write — opens for writing, write, fsync, syncfs, rename, link, unlink, truncate,
 * mkdir — and, told so by the environment, makes one of them fail:
 *
 *   LEADS_FAULT_CALL=write LEADS_FAULT_NTH=3 LEADS_FAULT_ERRNO=28
 *       the third write fails with ENOSPC (28); every other call goes through;
 *   LEADS_FAULT_ALWAYS=link LEADS_FAULT_ALWAYS_ERRNO=1
 *       every link fails (EPERM: a file system without hard links);
 *   LEADS_FAULT_PATH=activity.log
 *       only calls on a path (or descriptor) whose name contains this are counted;
 *   LEADS_FAULT_COUNT_FILE=/tmp/x
 *       at exit, "call count" lines for every call counted are appended there.
 *
 * Writes to standard input, output and error are never counted: the store's files are
 * what is under test. Built by the tests with `cc -shared -fPIC`.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_OPEN, C_WRITE, C_FSYNC, C_SYNCFS, C_RENAME, C_LINK, C_UNLINK, C_TRUNCATE, C_MKDIR, C_COUNT };
static const char *names[C_COUNT] = {"open", "write", "fsync", "syncfs", "rename", "link", "unlink", "truncate", "mkdir"};
static long counts[C_COUNT];
static int fault_call = -1, always_call = -1, fault_errno = EIO, always_errno = EPERM, configured;
static long fault_nth;
static const char *path_filter;

static int call_index(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < C_COUNT; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

static void configure(void) {
    if (configured) return;
    configured = 1;
    fault_call = call_index(getenv("LEADS_FAULT_CALL"));
    always_call = call_index(getenv("LEADS_FAULT_ALWAYS"));
    const char *s;
    if ((s = getenv("LEADS_FAULT_NTH"))) fault_nth = atol(s);
    if ((s = getenv("LEADS_FAULT_ERRNO"))) fault_errno = atoi(s);
    if ((s = getenv("LEADS_FAULT_ALWAYS_ERRNO"))) always_errno = atoi(s);
    path_filter = getenv("LEADS_FAULT_PATH");
    if (path_filter && !*path_filter) path_filter = NULL;
}

static int path_matches(const char *path) {
    return !path_filter || (path && strstr(path, path_filter));
}

static int fd_matches(int fd) {
    if (!path_filter) return 1;
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) return 0;
    target[n] = 0;
    return strstr(target, path_filter) != NULL;
}

/* Counts one call; nonzero (with errno set) if it is to fail. */
static int inject(int call, int matches) {
    configure();
    if (!matches) return 0;
    if (call == always_call) { errno = always_errno; return 1; }
    /* Atomic: an import makes a batch's files on two threads, and the Nth call must fail once. */
    long n = __atomic_add_fetch(&counts[call], 1, __ATOMIC_SEQ_CST);
    if (call == fault_call && n == fault_nth) { errno = fault_errno; return 1; }
    return 0;
}

#define REAL(ret, name, ...) \
    static ret (*real)(__VA_ARGS__); \
    if (!real) real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

__attribute__((destructor)) static void report(void) {
    const char *file = getenv("LEADS_FAULT_COUNT_FILE");
    if (!file) return;
    REAL(int, "open", const char *, int, ...);
    int fd = real(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    char line[64];

    static ssize_t (*real_write)(int, const void *, size_t);
    if (!real_write) real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    for (int i = 0; i < C_COUNT; i++) {
        int n = snprintf(line, sizeof line, "%s %ld\n", names[i], counts[i]);
        real_write(fd, line, (size_t)n);
    }
    close(fd);
}

static int writing(int flags) { return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) || (flags & __O_TMPFILE) == __O_TMPFILE; }

static mode_t mode_of(int flags, va_list ap) {
    return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    REAL(int, "open", const char *, int, ...);
    if (writing(flags) && inject(C_OPEN, path_matches(path))) return -1;
    return real(path, flags, mode);
}
int open64(const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    REAL(int, "open64", const char *, int, ...);
    if (writing(flags) && inject(C_OPEN, path_matches(path))) return -1;
    return real(path, flags, mode);
}
int openat(int dir, const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    REAL(int, "openat", int, const char *, int, ...);
    if (writing(flags) && inject(C_OPEN, path_matches(path))) return -1;
    return real(dir, path, flags, mode);
}
int openat64(int dir, const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_of(flags, ap); va_end(ap);
    REAL(int, "openat64", int, const char *, int, ...);
    if (writing(flags) && inject(C_OPEN, path_matches(path))) return -1;
    return real(dir, path, flags, mode);
}
ssize_t write(int fd, const void *buf, size_t n) {
    REAL(ssize_t, "write", int, const void *, size_t);
    if (fd > 2 && inject(C_WRITE, fd_matches(fd))) return -1;
    return real(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t at) {
    REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
    if (fd > 2 && inject(C_WRITE, fd_matches(fd))) return -1;
    return real(fd, buf, n, at);
}
int fsync(int fd) {
    REAL(int, "fsync", int);
    if (inject(C_FSYNC, fd_matches(fd))) return -1;
    return real(fd);
}
int fdatasync(int fd) {
    REAL(int, "fdatasync", int);
    if (inject(C_FSYNC, fd_matches(fd))) return -1;
    return real(fd);
}
int syncfs(int fd) {
    REAL(int, "syncfs", int);
    if (inject(C_SYNCFS, fd_matches(fd))) return -1;
    return real(fd);
}
int rename(const char *from, const char *to) {
    REAL(int, "rename", const char *, const char *);
    if (inject(C_RENAME, path_matches(to))) return -1;
    return real(from, to);
}
int renameat(int fromdir, const char *from, int todir, const char *to) {
    REAL(int, "renameat", int, const char *, int, const char *);
    if (inject(C_RENAME, path_matches(to))) return -1;
    return real(fromdir, from, todir, to);
}
int renameat2(int fromdir, const char *from, int todir, const char *to, unsigned flags) {
    REAL(int, "renameat2", int, const char *, int, const char *, unsigned);
    if (inject(C_RENAME, path_matches(to))) return -1;
    return real(fromdir, from, todir, to, flags);
}
int link(const char *from, const char *to) {
    REAL(int, "link", const char *, const char *);
    if (inject(C_LINK, path_matches(to))) return -1;
    return real(from, to);
}
int linkat(int fromdir, const char *from, int todir, const char *to, int flags) {
    REAL(int, "linkat", int, const char *, int, const char *, int);
    if (inject(C_LINK, path_matches(to))) return -1;
    return real(fromdir, from, todir, to, flags);
}
int unlink(const char *path) {
    REAL(int, "unlink", const char *);
    if (inject(C_UNLINK, path_matches(path))) return -1;
    return real(path);
}
int unlinkat(int dir, const char *path, int flags) {
    REAL(int, "unlinkat", int, const char *, int);
    if (inject(C_UNLINK, path_matches(path))) return -1;
    return real(dir, path, flags);
}
int ftruncate(int fd, off_t size) {
    REAL(int, "ftruncate", int, off_t);
    if (inject(C_TRUNCATE, fd_matches(fd))) return -1;
    return real(fd, size);
}
int ftruncate64(int fd, off_t size) {
    REAL(int, "ftruncate64", int, off_t);
    if (inject(C_TRUNCATE, fd_matches(fd))) return -1;
    return real(fd, size);
}
int mkdir(const char *path, mode_t mode) {
    REAL(int, "mkdir", const char *, mode_t);
    if (inject(C_MKDIR, path_matches(path))) return -1;
    return real(path, mode);
}
int mkdirat(int dir, const char *path, mode_t mode) {
    REAL(int, "mkdirat", int, const char *, mode_t);
    if (inject(C_MKDIR, path_matches(path))) return -1;
    return real(dir, path, mode);
}
