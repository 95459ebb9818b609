import libsql, time, os, signal, threading
T=open("token_rw").read()
c=libsql.connect("http://127.0.0.1:18081", auth_token=T, isolation_level=None, _check_same_thread=False)
print(c.execute("SELECT count(*) FROM lag").fetchone())
pid=int(open("replica.pid").read())
os.kill(pid, signal.SIGSTOP)
res={}
def q():
    t=time.perf_counter()
    try: res["r"]=c.execute("SELECT 1").fetchone()
    except Exception as e: res["r"]=repr(e)[:200]
    res["t"]=time.perf_counter()-t
th=threading.Thread(target=q,daemon=True); th.start(); th.join(12)
print("stopped replica:", res or "still blocked after 12 s")
os.kill(pid, signal.SIGCONT); th.join(5); print("after SIGCONT:", res)
