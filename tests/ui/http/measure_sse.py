"""StreamingResponse vs sse-starlette's EventSourceResponse: time per streamed answer (5 chunks), interleaved.

Run with `pip install sse-starlette && python tests/ui/http/measure_sse.py` (sse-starlette is not a
dependency: the README says why). Prints the median time per request of each and their ratio.
"""
import json, statistics, time
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from sse_starlette.sse import EventSourceResponse

PIECES = [json.dumps({"choices": [{"delta": {"content": "Le budget du Health Data Hub était de 9,7 millions d'euros en 2020. [1]"}}]})] * 5
app = FastAPI()

@app.get("/plain")
def plain():
    def events():
        for p in PIECES:
            yield f"data: {p}\n\n"
        yield "data: [DONE]\n\n"
    return StreamingResponse(events(), media_type="text/event-stream")

@app.get("/sse")
def sse():
    def events():
        for p in PIECES:
            yield {"data": p}
        yield {"data": "[DONE]"}
    return EventSourceResponse(events())

with TestClient(app) as c:
    for _ in range(20):
        c.get("/plain"); c.get("/sse")
    a, b = [], []
    for _ in range(300):
        t = time.perf_counter(); r1 = c.get("/plain"); a.append(time.perf_counter() - t)
        t = time.perf_counter(); r2 = c.get("/sse"); b.append(time.perf_counter() - t)
    assert r1.text.count("data:") == r2.text.count("data:")
print(f"StreamingResponse median {1000*statistics.median(a):.2f} ms, EventSourceResponse median {1000*statistics.median(b):.2f} ms, ratio {statistics.median(b)/statistics.median(a):.2f}")
