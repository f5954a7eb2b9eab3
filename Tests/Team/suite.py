#!/usr/bin/env python3
"""Two-client suite: one data directory seen through two mounts of one volume.

Run by Tests/Team/run, which mounts the volume twice. Every command is the real `leads`
binary; a client is just a mount point (the FUSE client process behind it). Checks,
after concurrent writers, cron jobs, an import, kills and reads across the mounts:
0 acknowledged changes lost, 0 duplicate IDs, 0 reminders announced twice, 0 stale
reads after an acknowledged write, and fsck clean. Prints one JSON line of figures.
Bounded: every command has a time-out, and each phase a fixed amount of work.
"""
import argparse, json, os, random, signal, subprocess, sys, threading, time

p = argparse.ArgumentParser()
p.add_argument("--leads", required=True)
p.add_argument("--m1", required=True)
p.add_argument("--m2", required=True)
p.add_argument("--label", required=True)
p.add_argument("--writers", type=int, default=8, help="writers per mount")
p.add_argument("--rounds", type=int, default=4, help="add+note+status rounds per writer")
p.add_argument("--ryw", type=int, default=20, help="read-your-writes tries")
args = p.parse_args()

name = "team-" + args.label
d1 = os.path.join(args.m1, name)
d2 = os.path.join(args.m2, name)
lock = threading.Lock()
counts = {"commands": {"m1": 0, "m2": 0}, "failed": []}


def leads(directory, *argv, user="rep", env=None, stdin=None, timeout=120, check=True):
    e = dict(os.environ)
    e.update({"LEADS_DIR": directory, "LEADS_USER": user, "LEADS_LOCK_TIMEOUT": "60"})
    e.pop("LEADS_NOW", None)
    if env:
        e.update(env)
    r = subprocess.run([args.leads, *argv], capture_output=True, text=True, env=e, input=stdin, timeout=timeout)
    client = "m1" if directory.startswith(args.m1) else "m2"
    with lock:
        counts["commands"][client] += 1
        if check and r.returncode != 0:
            counts["failed"].append({"client": client, "argv": list(argv)[:3], "status": r.returncode, "stderr": r.stderr.strip()[:200]})
    return r


def run_threads(targets):
    threads = [threading.Thread(target=t, args=a) for t, a in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


started = time.monotonic()
r = leads(d1, "init")
assert r.returncode == 0, r.stderr
shared = leads(d1, "add", "Shared lead", "--company", "Team GmbH").stdout.strip()
due_refs = set()
for i in range(20):
    lid = leads(d1, "add", f"Due lead {i}", "--company", "Cron AG").stdout.strip()
    ref = leads(d1, "remind", lid, "today", f"call back {i}").stdout.strip()
    due_refs.add(ref)

# --- concurrent phase ------------------------------------------------------------------
acked_adds = {}      # id -> name
acked_notes = []     # texts on the shared lead
acked_status = {}    # id -> last stage acknowledged
announced = []       # refs printed by the cron clients
reader_failures = []
stages = ["qualified", "proposal", "negotiation"]


def writer(directory, tag):
    for i in range(args.rounds):
        nm = f"Writer {tag} {i}"
        r = leads(directory, "add", nm, "--email", f"w{tag}-{i}@example.com", user=f"rep{tag}")
        if r.returncode == 0:
            with lock:
                acked_adds[r.stdout.strip()] = nm
            lid = r.stdout.strip()
            stage = stages[i % len(stages)]
            if leads(directory, "status", lid, stage, user=f"rep{tag}").returncode == 0:
                with lock:
                    acked_status[lid] = stage
        text = f"note {tag} {i}"
        if leads(directory, "note", shared, text, user=f"rep{tag}").returncode == 0:
            with lock:
                acked_notes.append(text)


def cron(directory, tag):
    for _ in range(8):
        r = leads(directory, "remind", "--due", "--once", "--json", user=f"cron{tag}")
        if r.returncode == 0 and r.stdout.strip():
            with lock:
                announced.extend(row["ref"] for row in json.loads(r.stdout))
        time.sleep(random.uniform(0, 0.05))


import_rows = 300
csv_text = "name,company,email\n" + "".join(f"Imported {i},Import KG,imp{i}@example.com\n" for i in range(import_rows))
import_result = {}


def importer(directory):
    r = leads(directory, "import-csv", "-", stdin=csv_text, timeout=300)
    import_result["status"] = r.returncode


def reader(directory):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "status" not in import_result:
        for argv in (["pipeline"], ["list", "--ids"], ["remind", "--due"]):
            r = leads(directory, *argv, check=False)
            if r.returncode != 0:
                with lock:
                    reader_failures.append({"argv": argv, "status": r.returncode, "stderr": r.stderr.strip()[:200]})


targets = []
for w in range(args.writers):
    targets.append((writer, (d1, f"a{w}")))
    targets.append((writer, (d2, f"b{w}")))
targets += [(cron, (d1, "1")), (cron, (d2, "2")), (importer, (d1,)), (reader, (d2,))]
run_threads(targets)
concurrent_seconds = time.monotonic() - started
phase = {"setup+concurrent": round(concurrent_seconds, 1)}
mark = time.monotonic()

# --- kill -9 of a writer on m1 mid-change ------------------------------------------------
# A real kill of an import in the middle of its batches, and a writer that kills itself
# between its file and its log line (the debug build's crash point).
kill_rows = 3000
kill_csv = "name,company\n" + "".join(f"Killed {i},Kill SE\n" for i in range(kill_rows))
e = dict(os.environ, LEADS_DIR=d1, LEADS_USER="killer")
victim = subprocess.Popen([args.leads, "import-csv", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, text=True)
victim.stdin.write(kill_csv)
victim.stdin.close()
time.sleep(0.4)
victim.send_signal(signal.SIGKILL)
victim.wait()
crash = leads(d1, "note", shared, "crashed note", env={"LEADS_TEST_CRASH": "after-lead-write"}, check=False)
killed = {"import_status": victim.returncode, "crash_point_status": crash.returncode}
# The store goes on working through the other client at once.
after_kill = leads(d2, "add", "After the kill", "--company", "Survivor")
if after_kill.returncode == 0:
    acked_adds[after_kill.stdout.strip()] = "After the kill"

phase["kill"] = round(time.monotonic() - mark, 1)
mark = time.monotonic()

# --- read your writes: write through m1, read through m2 at once --------------------------
stale = []
for k in range(args.ryw):
    text = f"ryw {k} {random.random()}"
    if leads(d1, "note", shared, text).returncode != 0:
        continue
    acked_notes.append(text)
    shown = leads(d2, "show", shared, "--json")
    if shown.returncode != 0 or text not in [n.get("text") for n in json.loads(shown.stdout).get("notes", [])]:
        stale.append({"try": k, "what": "show after note"})
    r = leads(d1, "add", f"RYW {k}", "--email", f"ryw{k}@example.com")
    if r.returncode == 0:
        lid = r.stdout.strip()
        acked_adds[lid] = f"RYW {k}"
        got = leads(d2, "show", lid, "--json", check=False)
        if got.returncode != 0 or json.loads(got.stdout).get("name") != f"RYW {k}":
            stale.append({"try": k, "what": "show after add", "stderr": got.stderr.strip()[:200]})
        listed = leads(d2, "list", "--ids", "--all")
        if lid not in listed.stdout.split():
            stale.append({"try": k, "what": "list after add"})

phase["read-your-writes"] = round(time.monotonic() - mark, 1)
mark = time.monotonic()

# --- verify through m2 ----------------------------------------------------------------
fsck = leads(d2, "fsck", check=False)
repaired = None
if fsck.returncode != 0:
    # What the kills leave (files of the killed batch not yet logged, a torn log line)
    # is what --repair mends; after it the store must be clean.
    repaired = leads(d2, "fsck", "--repair", check=False).stdout.strip().splitlines()
    fsck = leads(d2, "fsck", check=False)

everything = json.loads(leads(d2, "list", "--all", "--json").stdout)
by_id = {str(x["id"]): x for x in everything}
lost_adds = [i for i, nm in acked_adds.items() if i not in by_id or by_id[i]["name"] != nm]
ids = [x["id"] for x in everything]
shared_notes = [n.get("text") for n in json.loads(leads(d2, "show", shared, "--json").stdout).get("notes", [])]
lost_notes = [t for t in acked_notes if t not in shared_notes]
lost_status = [i for i, st in acked_status.items() if i in by_id and by_id[i]["stage"] != st]
imported = sum(1 for x in everything if x["name"].startswith("Imported "))
duplicates = len(announced) - len(set(announced))
never_announced = sorted(due_refs - set(announced))

phase["verify"] = round(time.monotonic() - mark, 1)
figures = {
    "label": args.label,
    "commands": counts["commands"],
    "failed_commands": len(counts["failed"]),
    "acknowledged": {"adds": len(acked_adds), "notes": len(acked_notes), "status": len(acked_status)},
    "lost": len(lost_adds) + len(lost_notes) + len(lost_status),
    "duplicate_ids": len(ids) - len(set(ids)),
    "announcements": len(announced),
    "duplicate_announcements": duplicates,
    "due_never_announced": len(never_announced),
    "imported": imported,
    "import_status": import_result.get("status"),
    "reader_failures": len(reader_failures),
    "stale_reads": len(stale),
    "ryw_tries": args.ryw,
    "killed": killed,
    "fsck_repaired": repaired,
    "fsck_clean": fsck.returncode == 0,
    "seconds": round(time.monotonic() - started, 1),
    "phases": phase,
}
print(json.dumps(figures))
problems = []
if counts["failed"]:
    problems.append(f"{len(counts['failed'])} commands failed, first: {counts['failed'][:3]}")
if reader_failures:
    problems.append(f"{len(reader_failures)} reads failed during the import, first: {reader_failures[:3]}")
if lost_adds or lost_notes or lost_status:
    problems.append(f"lost: adds {lost_adds[:5]}, notes {lost_notes[:5]}, status {lost_status[:5]}")
if figures["duplicate_ids"]:
    problems.append("duplicate IDs")
if duplicates:
    problems.append(f"{duplicates} reminders announced twice")
if never_announced:
    problems.append(f"due reminders never announced: {never_announced[:5]}")
if imported != import_rows or import_result.get("status") != 0:
    problems.append(f"import: {imported} of {import_rows} rows, status {import_result.get('status')}")
if stale:
    problems.append(f"{len(stale)} stale reads: {stale[:5]}")
if fsck.returncode != 0:
    problems.append("fsck not clean: " + fsck.stdout.strip()[:500])
for line in problems:
    print(f"team[{args.label}]: FAIL {line}", file=sys.stderr)
sys.exit(1 if problems else 0)
