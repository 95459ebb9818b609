import libsql, time
T=open("token_rw").read(); RO=open("token_ro").read()
def tryit(label, f):
    t=time.perf_counter()
    try: print(label, "->", f(), f"({(time.perf_counter()-t)*1000:.1f} ms)")
    except Exception as e: print(label, "-> ERR", type(e).__name__, str(e)[:200])
R="http://127.0.0.1:18081"; P="http://127.0.0.1:18080"
c=libsql.connect(R, auth_token=T, isolation_level=None, _check_same_thread=False)
tryit("replica select", lambda: c.execute("SELECT count(*) FROM t").fetchall())
def deferred():
    c.execute("BEGIN DEFERRED"); r=c.execute("SELECT count(*) FROM t").fetchall(); c.execute("ROLLBACK"); return r
tryit("replica BEGIN DEFERRED/SELECT/ROLLBACK", deferred)
def imm():
    c.execute("BEGIN IMMEDIATE"); c.execute("INSERT INTO t(v) VALUES ('tx-on-replica')"); r=c.execute("SELECT count(*) FROM t").fetchall(); c.execute("COMMIT"); return r
tryit("replica BEGIN IMMEDIATE/INSERT/SELECT-in-tx/COMMIT", imm)
tryit("replica count after", lambda: c.execute("SELECT count(*) FROM t").fetchall())
p=libsql.connect(P, auth_token=T, isolation_level=None, _check_same_thread=False)
tryit("primary count", lambda: p.execute("SELECT count(*) FROM t").fetchall())
ro=libsql.connect(R, auth_token=RO, isolation_level=None, _check_same_thread=False)
tryit("ro token replica read", lambda: ro.execute("SELECT count(*) FROM t").fetchall())
tryit("ro token replica write", lambda: ro.execute("INSERT INTO t(v) VALUES ('ro')").fetchall())
def ro_deferred_write():
    ro.execute("BEGIN DEFERRED"); ro.execute("SELECT 1").fetchall()
    try: ro.execute("INSERT INTO t(v) VALUES ('ro2')")
    finally: ro.execute("ROLLBACK")
tryit("ro token replica write in tx", ro_deferred_write)
for url in ("ws://127.0.0.1:18081","libsql://127.0.0.1:18081","https://127.0.0.1:18081"):
    def f(url=url):
        x=libsql.connect(url, auth_token=T, isolation_level=None, _check_same_thread=False); return x.execute("SELECT 1").fetchall()
    tryit(url, f)
print("cursor attrs:", [a for a in dir(c.cursor()) if not a.startswith("_")])
print("conn attrs:", [a for a in dir(c) if not a.startswith("_")])
