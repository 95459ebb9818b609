import libsql, time, os, signal
T=open("token_rw").read()
c=libsql.connect("http://127.0.0.1:18081", auth_token=T, isolation_level=None, _check_same_thread=False)
c.execute("SELECT 1").fetchone()
os.kill(int(open("replica.pid").read()), signal.SIGKILL); time.sleep(0.3)
for label, f in [("pooled conn", lambda: c.execute("SELECT 1").fetchone()),
                 ("new conn", lambda: libsql.connect("http://127.0.0.1:18081", auth_token=T, isolation_level=None, _check_same_thread=False).execute("SELECT 1").fetchone())]:
    t=time.perf_counter()
    try: r=f()
    except Exception as e: r=repr(e)[:220]
    print(label, "->", r, f"{(time.perf_counter()-t)*1000:.1f} ms")
