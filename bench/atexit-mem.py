# atexit-mem.py: gdb -batch -x bench/atexit-mem.py --args PROGRAM ARGS: run it to its
# exit_group and print what /proc/PID/smaps_rollup says then (kB): what
# one start made its own (Private_Dirty), before the exit takes it away.
import gdb
gdb.execute("catch syscall exit_group")
gdb.execute("run")
pid = gdb.selected_inferior().pid
d = {}
for l in open(f"/proc/{pid}/smaps_rollup"):
    p = l.split()
    if len(p) >= 2 and p[0].endswith(":") and p[1].isdigit():
        d[p[0][:-1]] = int(p[1])
print("MEM", d.get("Private_Dirty"), d.get("Private_Clean"), d.get("Rss"), d.get("Pss"))
gdb.execute("kill")
