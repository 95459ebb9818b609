import threading, time, os, json
from celery import Celery, signals
from celery.exceptions import Reject
app = Celery("t", broker="redis://127.0.0.1:16399/1", set_as_current=False)
app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, task_ignore_result=True,
                worker_prefetch_multiplier=1, worker_hijack_root_logger=False,
                broker_transport_options={"visibility_timeout": 3600})
STOP = threading.Event()
@signals.worker_shutting_down.connect
def _stopping(**_):
    STOP.set()
@app.task(name="job", acks_late=True)
def job(n):
    with open("events.log","a") as f: f.write(json.dumps({"pid":os.getpid(),"n":n,"start":time.time()})+"\n")
    for i in range(100):
        if STOP.is_set():
            with open("events.log","a") as f: f.write(json.dumps({"pid":os.getpid(),"n":n,"released_at_step":i})+"\n")
            raise Reject("worker stopping", requeue=True)
        time.sleep(0.1)
    with open("events.log","a") as f: f.write(json.dumps({"pid":os.getpid(),"n":n,"done":True})+"\n")
