#!/usr/bin/env python3
"""Prepares a load run against a running Lectern on a seeded school (`lectern seed`).

Signs in N seeded students, enrolls each in a free course, and writes a Lua data file for the
wrk scripts: access tokens, (token, lesson) pairs, course ids and slugs, search words.
Usage: prepare.py BASE_URL OUT.lua [N_USERS]
"""
import json, sys, urllib.request, concurrent.futures

base, out = sys.argv[1].rstrip("/"), sys.argv[2]
n_users = int(sys.argv[3]) if len(sys.argv) > 3 else 256
PASSWORD = "seed-password-2026"


def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method)
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        return e.code, None


status, page = call("GET", "/api/v1/courses?is_free=true&sort=popularity&limit=100")
assert status == 200, status
courses = [c for c in page["items"] if c["total_lessons"] > 0][:64]
lessons = {}
for c in courses:
    _, cur = call("GET", f"/api/v1/courses/{c['id']}/curriculum")
    lessons[c["id"]] = [l["id"] for m in cur["modules"] for l in m["lessons"]]


def sign_in(k):
    status, t = call("POST", "/api/v1/auth/login", {"email": f"student{k}@seed.lectern.test", "password": PASSWORD})
    assert status == 200, f"login student{k}: {status}"
    course = courses[k % len(courses)]
    status, _ = call("POST", f"/api/v1/courses/{course['id']}/enroll", {}, t["access_token"])
    assert status in (201, 409), f"enroll: {status}"
    return k, t["access_token"], course["id"]


with concurrent.futures.ThreadPoolExecutor(8) as pool:
    users = list(pool.map(sign_in, range(n_users)))

words = ["python basics", "pyhton", "data analysis", "javascript", "sql queries", "machine lerning",
         "design", "rust", "программирование", "анализ данных", "фотография", "marketing"]


# Words from course titles (both languages), for searches that are each different.
vocab = set()
for sort in ("popularity", "created_at", "price", "avg_rating"):
    _, page = call("GET", f"/api/v1/courses?sort={sort}&limit=100")
    for c in page["items"]:
        for w in c["title"].replace(",", " ").replace(":", " ").split():
            if len(w) >= 4 and w.isalpha():
                vocab.add(w.lower())
vocab = sorted(vocab)


def lua(s):
    return json.dumps(s, ensure_ascii=False)


with open(out, "w") as f:
    f.write("return {\n")
    f.write("  tokens = {" + ",".join(lua(t) for _, t, _ in users) + "},\n")
    f.write("  pairs = {" + ",".join("{" + lua(t) + "," + lua(l) + "}" for _, t, c in users for l in lessons[c]) + "},\n")
    f.write("  lessons = {" + ",".join("{" + lua(t) + "," + lua(lessons[c][0]) + "}" for _, t, c in users) + "},\n")
    f.write("  course_ids = {" + ",".join(lua(c["id"]) for c in courses) + "},\n")
    f.write("  slugs = {" + ",".join(lua(c["slug"]) for c in courses) + "},\n")
    f.write("  words = {" + ",".join(lua(w) for w in words) + "},\n")
    f.write("  vocab = {" + ",".join(lua(w) for w in vocab) + "},\n")
    f.write("  password = " + lua(PASSWORD) + ",\n")
    f.write("}\n")
print(f"prepared {len(users)} signed-in students over {len(courses)} free courses, {len(vocab)} search words -> {out}")
