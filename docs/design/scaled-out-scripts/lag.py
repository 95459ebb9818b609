import threading, time, statistics, libsql, httpx, json, sys
T=open("token_rw").read()
P="http://127.0.0.1:18080"; R="http://127.0.0.1:18081"
DUR=float(sys.argv[1]) if len(sys.argv)>1 else 8; WRITERS=int(sys.argv[2]) if len(sys.argv)>2 else 4
def conn(u): return libsql.connect(u, auth_token=T, isolation_level=None, _check_same_thread=False)
c=conn(P); c.execute("CREATE TABLE IF NOT EXISTS lag(id INTEGER PRIMARY KEY AUTOINCREMENT, w INT, payload TEXT)")
committed={}  # id -> commit time
lock=threading.Lock(); stop=time.monotonic()+DUR
def writer(w):
    cc=conn(P)
    while time.monotonic()<stop:
        cur=cc.execute("INSERT INTO lag(w,payload) VALUES (?,?)",(w,"x"*200))
        t=time.monotonic(); rid=cur.lastrowid
        with lock: committed[rid]=t
seen={}
def poller():
    rc=conn(R); last=0
    while time.monotonic()<stop+2:
        m=rc.execute("SELECT coalesce(max(id),0) FROM lag").fetchone()[0]; t=time.monotonic()
        if m>last:
            with lock:
                for i in range(last+1,m+1): seen.setdefault(i,t)
            last=m
idx=[]
def indexes():
    while time.monotonic()<stop:
        p=httpx.get("http://127.0.0.1:18090/v1/namespaces/default/stats").json()["replication_index"]
        r=httpx.get("http://127.0.0.1:18091/v1/namespaces/default/stats").json()["replication_index"]
        idx.append(p-r); time.sleep(0.05)
ts=[threading.Thread(target=writer,args=(i,)) for i in range(WRITERS)]+[threading.Thread(target=poller),threading.Thread(target=indexes)]
[t.start() for t in ts]; [t.join() for t in ts]
lags=sorted((seen[i]-committed[i])*1000 for i in committed if i in seen)
missing=[i for i in committed if i not in seen]
q=lambda p: lags[min(len(lags)-1,int(p*len(lags)))]
print(f"writes={len(committed)} in {DUR}s ({len(committed)/DUR:.0f}/s), writers={WRITERS}, not seen on replica={len(missing)}")
print(f"time-to-visible on replica ms (includes poll interval): p50={q(.5):.2f} p90={q(.9):.2f} p99={q(.99):.2f} max={lags[-1]:.2f}")
print(f"admin stats index gap primary-replica (frames): samples={len(idx)} mean={statistics.mean(idx):.1f} max={max(idx)}")
