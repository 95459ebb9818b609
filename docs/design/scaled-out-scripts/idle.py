import httpx, time
T=open("token_rw").read(); H={"Authorization":f"Bearer {T}"}
P="http://127.0.0.1:18080/v2/pipeline"; R="http://127.0.0.1:18081/v2/pipeline"
cl=httpx.Client(headers=H)
def run(url, stmt, timeout=5):
    r=cl.post(url,json={"requests":[{"type":"execute","stmt":stmt},{"type":"close"}]},timeout=timeout).json()
    return r["results"][0]["response"]["result"]
out=[]
for i in range(10):
    w=run(P,{"sql":"INSERT INTO lag(w,payload) VALUES (7,'z')"}); i_=w["replication_index"]
    t=time.perf_counter(); run(R,{"sql":"SELECT 1","replication_index":i_}); a=(time.perf_counter()-t)*1000
    t=time.perf_counter(); run(R,{"sql":"SELECT 1"}); b=(time.perf_counter()-t)*1000
    out.append((round(a,1),round(b,1)))
    time.sleep(0.2)
print("(wait-for-index ms, plain ms):", out)
