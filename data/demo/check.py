#!/usr/bin/env python3
"""Checks the demo school's files (run: python3 data/demo/check.py)."""
import json, os, re, sys
here = os.path.dirname(os.path.abspath(__file__))
cats = {c["slug"] for c in json.load(open(f"{here}/categories.json"))}
teachers = {t["key"] for t in json.load(open(f"{here}/teachers.json"))}
students = {s["key"] for s in json.load(open(f"{here}/students.json"))}
errors, slugs, langs = [], set(), {"en": 0, "ru": 0}
files = sorted(os.listdir(f"{here}/courses"))
for f in files:
    try:
        c = json.load(open(f"{here}/courses/{f}"))
    except Exception as e:
        errors.append(f"{f}: not JSON: {e}"); continue
    p = f"{f}:"
    if f != c.get("slug", "") + ".json": errors.append(f"{p} file name must be <slug>.json")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c.get("slug", "")): errors.append(f"{p} bad slug")
    if c.get("slug") in slugs: errors.append(f"{p} duplicate slug")
    slugs.add(c.get("slug"))
    for k in ["title", "subtitle", "description", "level", "language", "category", "price_minor", "currency", "teacher", "created_days_ago", "modules", "enrollments", "reviews"]:
        if k not in c: errors.append(f"{p} missing {k}")
    if c.get("level") not in ("beginner", "intermediate", "advanced"): errors.append(f"{p} bad level")
    if c.get("language") not in ("en", "ru"): errors.append(f"{p} bad language")
    else: langs[c["language"]] += 1
    if c.get("category") not in cats: errors.append(f"{p} unknown category")
    if c.get("teacher") not in teachers: errors.append(f"{p} unknown teacher")
    if c.get("currency") not in ("USD", "RUB", "EUR"): errors.append(f"{p} bad currency")
    if not isinstance(c.get("price_minor"), int) or c["price_minor"] < 0: errors.append(f"{p} bad price")
    lessons = [l for m in c.get("modules", []) for l in m.get("lessons", [])]
    if len(lessons) < 6: errors.append(f"{p} only {len(lessons)} lessons")
    for l in lessons:
        if l.get("kind") == "quiz":
            qs = l.get("quiz", {}).get("questions", [])
            if not l.get("title") or not (3 <= len(qs) <= 4) or not isinstance(l.get("duration_s"), int):
                errors.append(f"{p} quiz {l.get('title')!r} incomplete (title, 3-4 questions, duration_s)")
            continue
        if l.get("kind") != "text" or not l.get("title") or len(l.get("body", "").split()) < 60 or not isinstance(l.get("duration_s"), int):
            errors.append(f"{p} lesson {l.get('title')!r} incomplete (kind text, title, body >= 60 words, duration_s)")
    if len(c.get("description", "").split()) < 80: errors.append(f"{p} description too short")
    enrolled = set()
    for e in c.get("enrollments", []):
        if e.get("student") not in students: errors.append(f"{p} unknown student {e.get('student')}")
        if e.get("student") in enrolled: errors.append(f"{p} student enrolled twice")
        enrolled.add(e.get("student"))
        done = e.get("completed")
        if not (done == "all" or (isinstance(done, int) and 0 <= done <= len(lessons))): errors.append(f"{p} bad completed {done!r}")
    reviewers = set()
    for r in c.get("reviews", []):
        if r.get("student") not in enrolled: errors.append(f"{p} reviewer {r.get('student')} not enrolled")
        if r.get("student") in reviewers: errors.append(f"{p} two reviews by {r.get('student')}")
        reviewers.add(r.get("student"))
        if r.get("rating") not in (1, 2, 3, 4, 5) or not r.get("text"): errors.append(f"{p} bad review")
print(f"{len(files)} courses ({langs['en']} en, {langs['ru']} ru), {len(errors)} problems")
for e in errors: print("  " + e)
sys.exit(1 if errors else 0)
