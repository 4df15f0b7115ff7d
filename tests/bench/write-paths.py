#!/usr/bin/env python3
"""Write-path timings against a running API (issue 19: writes must not slow by more than 20 %).

Usage: write-paths.py BASE_URL ADMIN_KEY. Prints the median wall time in ms of: a 5,000-pact import into a fresh
unit, a 113-answer PUT of the self layer (values alternating so that every call changes every answer), and a 200 KB
PDF evidence upload. Run it against the build before and after a change on the same machine, one after the other.
"""
import json, statistics, sys, time, urllib.error, urllib.request, uuid

base, key = sys.argv[1], sys.argv[2]

def call(method, path, body=None, content_type="application/json", headers=None):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("X-Api-Key", key)
    if data is not None:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read()[:600].decode(errors='replace')}")
    return (time.perf_counter() - started) * 1000, (json.loads(payload) if payload[:1] in (b"{", b"[") else None)

_, agency = call("POST", "/api/v1/agencies", {"code": f"BENCH-{uuid.uuid4().hex[:8]}", "name": "Bench", "kind": "kementerian"})
framework = call("GET", "/api/v1/frameworks/PERMENPANRB-90-2021")[1]
items = [i for c in framework["components"] for a in c["areas"] for p in a["parts"] for s in p["subIndicators"] for i in s["items"]
         if i["answerType"] != "PERSEN" and not i.get("derivation")]

pacts = []
for run in range(5):
    _, unit = call("POST", "/api/v1/units", {"agencyId": agency["id"], "code": f"P{run}-{uuid.uuid4().hex[:6]}", "name": "Unit", "kind": "balai",
                                            "providesPublicService": True, "employeeCount": 100000})
    # 5,000 distinct NIPs: birth dates 1970–1989 day by day, all starting January 2010.
    batch = [{"nip": f"19{70 + n // 336 % 20:02d}{1 + n // 28 % 12:02d}{1 + n % 28:02d}2010011{1 + n % 999:03d}", "name": "Pegawai", "position": "Analis",
              "role": "pegawai", "occasion": "tahunan", "signedOn": "2026-01-10"} for n in range(5000)]
    elapsed, _ = call("POST", f"/api/v1/units/{unit['id']}/integrity-pacts", {"pacts": batch})
    pacts.append(elapsed)

_, unit = call("POST", "/api/v1/units", {"agencyId": agency["id"], "code": f"A-{uuid.uuid4().hex[:6]}", "name": "Unit", "kind": "balai",
                                        "providesPublicService": True, "employeeCount": 20})
_, assessment = call("POST", "/api/v1/assessments", {"unitId": unit["id"], "year": 2026, "target": "WBK"})

def value(item, flip):
    if item.get("options"):
        return item["options"][0 if flip else 1]["value"]
    kind = item["answerType"]
    if kind == "YA_TIDAK":
        return "Ya" if flip else "Tidak"
    if kind == "NILAI_0_4":
        return "3.8" if flip else "3.1"
    if kind == "JUMLAH":
        return "10" if flip else "12"
    return "A" if flip else "B"

answers = []
for run in range(21):
    body = {"answers": [{"itemCode": i["code"], "value": value(i, run % 2 == 0)} for i in items]}
    elapsed, _ = call("PUT", f"/api/v1/assessments/{assessment['id']}/answers/self", body)
    if run > 0:
        answers.append(elapsed)

scored = [i for i in items if i["scored"]]
pdf = b"%PDF-1.7\n" + b"0" * 200_000 + b"\n%%EOF\n"
uploads = []
for run in range(21):
    boundary = uuid.uuid4().hex
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bukti-{run}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode() \
        + pdf + f"\r\n--{boundary}--\r\n".encode()
    elapsed, _ = call("POST", f"/api/v1/assessments/{assessment['id']}/items/{scored[run % len(scored)]['code']}/evidence", form,
                      content_type=f"multipart/form-data; boundary={boundary}")
    if run > 0:
        uploads.append(elapsed)

print(f"{len(items)} answers; median ms: pacts 5000 {statistics.median(pacts):.1f} | answers PUT {statistics.median(answers):.1f} | upload {statistics.median(uploads):.1f}")
