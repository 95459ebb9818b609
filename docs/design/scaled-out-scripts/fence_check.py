# F12: after a commit, a primary `SELECT 1` returns replication_index >= that commit's; a replica read
# with that index sees a row committed through the libsql driver. Needs primary :18080, replica :18081.
import httpx, libsql
T=open("/tmp/r18/token_rw").read(); H={"Authorization":f"Bearer {T}"}
cl=httpx.Client(headers=H)
def idx(url, sql="SELECT 1"):
    r=cl.post(url+"/v2/pipeline",json={"requests":[{"type":"execute","stmt":{"sql":sql}},{"type":"close"}]}).json()
    return int(r["results"][0]["response"]["result"]["replication_index"])
bad=0
for i in range(50):
    w=idx("http://127.0.0.1:18080","INSERT INTO lag(w,payload) VALUES (3,'f')")
    bad += idx("http://127.0.0.1:18080") < w
print("primary read index < preceding commit index:", bad, "/ 50")
c=libsql.connect("http://127.0.0.1:18080", auth_token=T, isolation_level=None, _check_same_thread=False)
miss=0
for i in range(30):
    rid=c.execute("INSERT INTO lag(w,payload) VALUES (4,'g')").lastrowid
    p=idx("http://127.0.0.1:18080")
    r=cl.post("http://127.0.0.1:18081/v2/pipeline",json={"requests":[{"type":"execute","stmt":{"sql":f"SELECT count(*) FROM lag WHERE id={rid}","replication_index":str(p)}},{"type":"close"}]}).json()
    miss += r["results"][0]["response"]["result"]["rows"][0][0]["value"] != "1"
print("driver commit not visible on replica after fence probe:", miss, "/ 30")
