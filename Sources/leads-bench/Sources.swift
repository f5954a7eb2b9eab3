/// The programs the benchmark writes out and builds or runs: the floors (what the
/// machine cannot do faster) and the peers (what a user would reach for instead).
enum ProgramSources {
    /// The C floors, one program with three modes:
    ///   read DIR            open, read and close every `*.json` in DIR (what any reader of all leads must do)
    ///   durable DIR BYTES   one durable change: temp file, fsync, rename, fsync dir, fsynced log append
    ///   create DIR N BYTES  create DIR and N files of BYTES bytes in it, one syncfs at the end
    ///   remove PATH...      rm -rf, for the work directories of earlier runs
    static let floorC = #"""
    #define _GNU_SOURCE
    #include <dirent.h>
    #include <errno.h>
    #include <fcntl.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/stat.h>
    #include <unistd.h>

    static char buffer[1 << 16];

    static int fail(const char *what) { perror(what); return 1; }

    static int is_lead_file(const char *name) {
        size_t length = strlen(name);
        return name[0] != '.' && length >= 6 && !strcmp(name + length - 5, ".json");
    }

    static int read_all(const char *path) {
        DIR *dir = opendir(path);
        if (!dir) return fail(path);
        long files = 0, bytes = 0;
        struct dirent *entry;
        while ((entry = readdir(dir))) {
            if (!is_lead_file(entry->d_name)) continue;
            int fd = openat(dirfd(dir), entry->d_name, O_RDONLY | O_CLOEXEC);
            if (fd < 0) return fail(entry->d_name);
            ssize_t got;
            while ((got = read(fd, buffer, sizeof buffer)) > 0) bytes += got;
            if (got < 0) return fail(entry->d_name);
            close(fd);
            files++;
        }
        closedir(dir);
        printf("%ld %ld\n", files, bytes);
        return 0;
    }

    /* What a stat validation cannot do without: list the directory and fstatat each file,
       on one core. */
    static int stat_all(const char *path) {
        DIR *dir = opendir(path);
        if (!dir) return fail(path);
        long files = 0, bytes = 0;
        struct dirent *entry;
        struct stat st;
        while ((entry = readdir(dir))) {
            if (!is_lead_file(entry->d_name)) continue;
            if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW)) return fail(entry->d_name);
            bytes += st.st_size;
            files++;
        }
        closedir(dir);
        printf("%ld %ld\n", files, bytes);
        return 0;
    }

    static void fill(long size) {
        for (long i = 0; i < size && i < (long)sizeof buffer; i++) buffer[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
    }

    static int durable(const char *path, long size) {
        char dir_path[4096], temp[4096], target[4096], log_path[4096];
        snprintf(dir_path, sizeof dir_path, "%s/leads", path);
        snprintf(temp, sizeof temp, "%s/.1.json.tmp-%d", dir_path, (int)getpid());
        snprintf(target, sizeof target, "%s/1.json", dir_path);
        snprintf(log_path, sizeof log_path, "%s/activity.log", path);
        mkdir(path, 0700);
        mkdir(dir_path, 0700);
        fill(size);
        int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) return fail(temp);
        if (write(fd, buffer, size) != size || fsync(fd) || close(fd)) return fail(temp);
        if (rename(temp, target)) return fail(target);
        int dir = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || fsync(dir) || close(dir)) return fail(dir_path);
        static const char line[] = "{\"action\":\"add\",\"lead\":1,\"time\":\"2026-11-23T10:00:00Z\",\"user\":\"alice\"}\n";
        int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (log < 0 || write(log, line, sizeof line - 1) != sizeof line - 1 || fsync(log) || close(log)) return fail(log_path);
        return 0;
    }

    static int create(const char *path, long count, long size) {
        if (mkdir(path, 0700)) return fail(path);
        int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) return fail(path);
        fill(size);
        char name[32];
        for (long i = 1; i <= count; i++) {
            snprintf(name, sizeof name, "%ld.json", i);
            int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd < 0) return fail(name);
            if (write(fd, buffer, size) != size || close(fd)) return fail(name);
        }
        if (syncfs(dir)) return fail("syncfs");
        return close(dir);
    }

    struct entry { ino_t inode; unsigned char type; char *name; };

    static int by_inode(const void *a, const void *b) {
        ino_t x = ((const struct entry *)a)->inode, y = ((const struct entry *)b)->inode;
        return x < y ? -1 : x > y;
    }

    /* rm -rf that unlinks in inode order rather than in directory (hash) order, which
       spares ext4 random inode-table writes, and that does not mind a second remover
       working on the same tree. */
    static int remove_tree(int parent, const char *name) {
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return errno == ENOENT ? 0 : unlinkat(parent, name, 0);
        DIR *dir = fdopendir(fd);
        if (!dir) return fail(name);
        struct entry *entries = NULL;
        size_t count = 0, capacity = 0;
        struct dirent *item;
        while ((item = readdir(dir))) {
            if (!strcmp(item->d_name, ".") || !strcmp(item->d_name, "..")) continue;
            if (count == capacity) {
                capacity = capacity ? capacity * 2 : 1024;
                entries = realloc(entries, capacity * sizeof *entries);
                if (!entries) return fail("realloc");
            }
            entries[count++] = (struct entry){ item->d_ino, item->d_type, strdup(item->d_name) };
        }
        qsort(entries, count, sizeof *entries, by_inode);
        int result = 0;
        for (size_t i = 0; i < count; i++) {
            int failed = entries[i].type == DT_DIR ? remove_tree(fd, entries[i].name) : unlinkat(fd, entries[i].name, 0);
            if (failed && entries[i].type != DT_DIR && (errno == EISDIR || errno == EPERM)) failed = remove_tree(fd, entries[i].name);
            if (failed && errno == ENOENT) failed = 0; /* another remover got there first */
            if (failed) result = fail(entries[i].name);
            free(entries[i].name);
        }
        free(entries);
        closedir(dir);
        if (unlinkat(parent, name, AT_REMOVEDIR) && errno != ENOENT) return fail(name);
        return result;
    }

    int main(int argc, char **argv) {
        if (argc >= 3 && !strcmp(argv[1], "remove")) {
            int result = 0;
            for (int i = 2; i < argc; i++) result |= remove_tree(AT_FDCWD, argv[i]) != 0;
            return result;
        }
        if (argc == 3 && !strcmp(argv[1], "read")) return read_all(argv[2]);
        if (argc == 3 && !strcmp(argv[1], "stat")) return stat_all(argv[2]);
        if (argc == 4 && !strcmp(argv[1], "durable")) return durable(argv[2], atol(argv[3]));
        if (argc == 5 && !strcmp(argv[1], "create")) return create(argv[2], atol(argv[3]), atol(argv[4]));
        fprintf(stderr, "usage: floor read DIR | stat DIR | durable DIR BYTES | create DIR N BYTES | remove PATH...\n");
        return 2;
    }
    """#

    /// The timer. posix_spawn from the benchmark itself would report the benchmark's own
    /// peak RSS for every child: Linux carries the high-water mark of the memory a child
    /// was started from (with vfork, the parent's) over the exec. This small launcher is
    /// started instead; it starts the command, reaps it with wait4 and writes
    /// "seconds peak-RSS-KiB status" to fd 3. Its own start-up is not in the time.
    static let launcherC = #"""
    #define _GNU_SOURCE
    #include <fcntl.h>
    #include <spawn.h>
    #include <stdio.h>
    #include <sys/resource.h>
    #include <sys/wait.h>
    #include <time.h>

    extern char **environ;

    int main(int argc, char **argv) {
        if (argc < 2 || fcntl(3, F_SETFD, FD_CLOEXEC)) { fprintf(stderr, "usage: launch CMD [ARG]... (result on fd 3)\n"); return 2; }
        struct timespec start, end;
        struct rusage usage;
        pid_t pid;
        int status;
        clock_gettime(CLOCK_MONOTONIC, &start);
        int error = posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ);
        if (error) { dprintf(3, "0 0 127\n"); return 127; }
        while (wait4(pid, &status, 0, &usage) < 0) {}
        clock_gettime(CLOCK_MONOTONIC, &end);
        double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        dprintf(3, "%.9f %ld %d\n", seconds, usage.ru_maxrss, code);
        return 0;
    }
    """#

    /// The start-up floor: a Swift program that does nothing, linked like `leads`.
    static let floorSwift = """
    #if canImport(Glibc)
    import Glibc
    #endif
    exit(0)
    """

    /// The pipeline sums (open stages; per currency and stage: count, value, weighted
    /// value rounded to the cent per lead, half away from zero), as a Python user
    /// would write them: json + Decimal, so the sums are exact like `leads pipeline`.
    static let python = """
    import json, os, sys
    from decimal import Decimal, ROUND_HALF_UP

    PROBABILITY = {"new": 10, "contacted": 20, "qualified": 40, "proposal": 60, "negotiation": 80}
    CLOSED = {"won", "lost", "dnc"}
    CENT = Decimal("0.01")

    groups = {}
    with os.scandir(sys.argv[1]) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.endswith(".json"):
                continue
            with open(entry.path, "rb") as f:
                lead = json.load(f)
            stage = lead["stage"]
            if stage in CLOSED:
                continue
            group = groups.setdefault((lead.get("currency", ""), stage), [0, Decimal(0), Decimal(0)])
            group[0] += 1
            if "value" in lead:
                value = Decimal(lead["value"])
                percent = lead.get("probability", PROBABILITY.get(stage, 0))
                group[1] += value
                group[2] += (value * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    for (currency, stage), (count, value, weighted) in sorted(groups.items()):
        print(currency or "-", stage, count, value, weighted)
    """

    /// The same sums in jq, streaming (`reduce inputs`) so memory stays flat. jq's
    /// numbers are doubles: the sums are close, not exact.
    static let jq = """
    {"new": 10, "contacted": 20, "qualified": 40, "proposal": 60, "negotiation": 80} as $probability
    | reduce (inputs | select(.stage != "won" and .stage != "lost" and .stage != "dnc")) as $lead ({};
        ($lead.currency // "-") as $currency
        | .[$currency][$lead.stage] |= (
            (. // {count: 0, value: 0, weighted: 0})
            | .count += 1
            | if $lead.value then
                ($lead.value | tonumber) as $value
                | .value += $value
                | .weighted += ($value * ($lead.probability // $probability[$lead.stage] // 0) | round / 100)
              else . end))
    """
}
