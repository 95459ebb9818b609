import httpx, time, threading, libsql, statistics, sys
T=open("token_rw").read(); H={"Authorization":f"Bearer {T}"}
P="http://127.0.0.1:18080/v2/pipeline"; R="http://127.0.0.1:18081/v2/pipeline"
cl=httpx.Client(headers=H)
def idx(url, want=None, timeout=2.0):
    stmt={"sql":"SELECT 1"}
    if want: stmt["replication_index"]=str(want)
    r=cl.post(url,json={"requests":[{"type":"execute","stmt":stmt},{"type":"close"}]},timeout=timeout).json()
    return int(r["results"][0]["response"]["result"]["replication_index"])
DUR=6; stop=time.monotonic()+DUR
def writer():
    c=libsql.connect("http://127.0.0.1:18080", auth_token=T, isolation_level=None, _check_same_thread=False)
    while time.monotonic()<stop: c.execute("INSERT INTO lag(w,payload) VALUES (9,'y')")
ws=[threading.Thread(target=writer) for _ in range(int(sys.argv[1]) if len(sys.argv)>1 else 4)]; [w.start() for w in ws]
lags=[]; timeouts=0
while time.monotonic()<stop:
    p=idx(P); t=time.perf_counter()
    try: got=idx(R, want=p, timeout=1.0); lags.append((time.perf_counter()-t)*1000)
    except httpx.TimeoutException: timeouts+=1
    time.sleep(0.1)
[w.join() for w in ws]
lags.sort()
print(f"probes={len(lags)} timeouts(>1s)={timeouts} lag ms p50={lags[len(lags)//2]:.1f} p90={lags[int(len(lags)*.9)]:.1f} max={lags[-1]:.1f}")
t=time.perf_counter(); idx(R, want=idx(P)); print("idle probe ms", round((time.perf_counter()-t)*1000,2))
