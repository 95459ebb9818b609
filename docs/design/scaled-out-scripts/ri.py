import json, time, httpx
T=open("token_rw").read()
H={"Authorization":f"Bearer {T}"}
P="http://127.0.0.1:18080/v2/pipeline"; R="http://127.0.0.1:18081/v2/pipeline"
def run(url, stmts):
    body={"requests":[*({"type":"execute","stmt":s} for s in stmts),{"type":"close"}]}
    r=httpx.post(url,json=body,headers=H,timeout=30); return r.json()["results"]
stale=0; waited=0
for i in range(20):
    res=run(P,[{"sql":"INSERT INTO t(v) VALUES (?)","args":[{"type":"text","value":f"x{i}"}]}])
    idx=res[0]["response"]["result"]["replication_index"]; rid=res[0]["response"]["result"]["last_insert_rowid"]
    a=run(R,[{"sql":"SELECT count(*) FROM t WHERE id=?","args":[{"type":"integer","value":rid}]}])
    stale += a[0]["response"]["result"]["rows"][0][0]["value"]=="0"
    b=run(R,[{"sql":"SELECT count(*) FROM t WHERE id=?","args":[{"type":"integer","value":rid}],"replication_index":idx}])
    waited += b[0].get("response",{}).get("result",{}).get("rows",[[{"value":"?"}]])[0][0]["value"]=="1"
    if b[0]["type"]!="ok": print(b)
print("plain replica read stale:",stale,"/20 ; with replication_index seen:",waited,"/20")
t=time.time(); far=run(R,[{"sql":"SELECT 1","replication_index":"999999"}]); print("far future index ->",json.dumps(far)[:300], round(time.time()-t,2),"s")
