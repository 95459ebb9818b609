import redis, subprocess, sys, time, os, signal, json
URL="redis://127.0.0.1:16399/0"; S="autoforge:events"; G="handler:similarity"
r=redis.Redis.from_url(URL, decode_responses=True)
r.delete(S, S+":dead")
r.xgroup_create(S, G, id="0", mkstream=True)
ids=[r.xadd(S, {"event_id": f"e{i}", "event_type": "PromptCreated", "data": json.dumps({"n": i})}, maxlen=100000, approximate=True) for i in range(10)]
# consumer A in another process: reads 4 entries, never acks, is SIGKILLed
child = subprocess.Popen([sys.executable, "-c", f"""
import redis, time
r=redis.Redis.from_url('{URL}', decode_responses=True)
got=r.xreadgroup('{G}','consumer-A',{{'{S}':'>'}},count=4,block=1000)
print([m[0] for m in got[0][1]], flush=True); time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
print("A read:", child.stdout.readline().strip()); child.send_signal(signal.SIGKILL); child.wait()
print("pending after kill:", r.xpending(S, G))
# consumer B reads new entries
got=r.xreadgroup(G,"consumer-B",{S:">"},count=100,block=100)
b_ids=[m[0] for m in got[0][1]]; r.xack(S,G,*b_ids); print("B new entries acked:", len(b_ids))
print("xautoclaim before idle (min_idle 500ms):", r.xautoclaim(S,G,"consumer-B",min_idle_time=500,start_id="0-0",count=10)[1])
time.sleep(0.6)
nxt, claimed, deleted = r.xautoclaim(S,G,"consumer-B",min_idle_time=500,start_id="0-0",count=10)
print("xautoclaim after idle -> next", nxt, "claimed", [m[0] for m in claimed], "deleted", deleted)
for p in r.xpending_range(S,G,"-","+",10): print("  pending", p["message_id"], p["consumer"], "times_delivered", p["times_delivered"])
# dead-letter rule: entries delivered >= N times go to a dead stream and are acked
N=2
for p in r.xpending_range(S,G,"-","+",10):
    if p["times_delivered"] >= N:
        entry=r.xrange(S,p["message_id"],p["message_id"])[0][1]
        pipe=r.pipeline(transaction=True); pipe.xadd(S+":dead",{**entry,"group":G,"attempts":p["times_delivered"]}); pipe.xack(S,G,p["message_id"]); pipe.execute()
print("after dead-lettering: pending", r.xpending(S,G)["pending"], "dead", r.xlen(S+":dead"))
print("groups:", [(g["name"], g["pending"], g.get("lag")) for g in r.xinfo_groups(S)])
