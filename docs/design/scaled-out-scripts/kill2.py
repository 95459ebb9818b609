import libsql, time, os, signal, threading, sys
T=open("token_rw").read()
c=libsql.connect("http://127.0.0.1:18081", auth_token=T, isolation_level=None, _check_same_thread=False)
c.execute("SELECT 1").fetchone()
t0=time.monotonic()
def tick():
    while True:
        print(f"tick {time.monotonic()-t0:.1f}", flush=True); time.sleep(1)
threading.Thread(target=tick,daemon=True).start()
time.sleep(1.5)
print("querying stopped replica", flush=True)
t=time.perf_counter()
try: r=c.execute("SELECT 1").fetchone()
except Exception as e: r=repr(e)[:200]
print("result", r, f"after {time.perf_counter()-t:.1f}s", flush=True)
