import libsql, time, threading
T=open("token_rw").read()
mk=lambda: libsql.connect("http://127.0.0.1:18080", auth_token=T, isolation_level=None, _check_same_thread=False)
a=mk(); b=mk()
a.execute("BEGIN IMMEDIATE"); a.execute("INSERT INTO lag(w,payload) VALUES (1,'a')")
t=time.perf_counter()
try: b.execute("BEGIN IMMEDIATE"); r="b got the write lock"
except Exception as e: r=repr(e)[:250]
print("second BEGIN IMMEDIATE while first open ->", r, f"{(time.perf_counter()-t)*1000:.0f} ms")
a.execute("COMMIT")
try: b.execute("ROLLBACK")
except Exception as e: print("rollback b", repr(e)[:80])
