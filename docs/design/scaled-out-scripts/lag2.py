import multiprocessing as mp, time, sys, libsql
T=open("token_rw").read()
def conn(u): return libsql.connect(u, auth_token=T, isolation_level=None, _check_same_thread=False)
def writer(stop_at, q):
    c=conn("http://127.0.0.1:18080"); out=[]
    while time.time()<stop_at:
        try:
            cur=c.execute("INSERT INTO lag(w,payload) VALUES (?,?)",(42,"x"*200)); out.append((cur.lastrowid,time.time()))
        except ValueError as e:
            out.append((-1, str(e)[:60]))
    q.put(out)
def poller(stop_at, q):
    c=conn("http://127.0.0.1:18081"); last=c.execute("SELECT coalesce(max(id),0) FROM lag").fetchone()[0]; seen={}
    while time.time()<stop_at+2:
        m=c.execute("SELECT coalesce(max(id),0) FROM lag").fetchone()[0]; t=time.time()
        for i in range(last+1,m+1): seen[i]=t
        last=max(last,m)
    q.put(seen)
if __name__=="__main__":
    W=int(sys.argv[1]); DUR=float(sys.argv[2])
    stop_at=time.time()+DUR; q=mp.Queue(); pq=mp.Queue()
    ps=[mp.Process(target=writer,args=(stop_at,q)) for _ in range(W)]; pp=mp.Process(target=poller,args=(stop_at,pq))
    pp.start(); [p.start() for p in ps]
    commits={}
    busy=0
    for _ in ps:
        for i,t in q.get():
            if i==-1: busy+=1
            else: commits[i]=t
    print("busy errors:", busy)
    seen=pq.get(); [p.join() for p in ps]; pp.join()
    lags=sorted((seen[i]-t)*1000 for i,t in commits.items() if i in seen); miss=sum(1 for i in commits if i not in seen)
    pct=lambda p: lags[min(len(lags)-1,int(p*len(lags)))]
    print(f"writer procs={W} writes={len(commits)} ({len(commits)/DUR:.0f}/s) unseen={miss}  time-to-visible ms p50={pct(.5):.1f} p90={pct(.9):.1f} p99={pct(.99):.1f} max={lags[-1]:.1f}")
