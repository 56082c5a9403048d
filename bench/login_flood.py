#!/usr/bin/env python3
"""Staff login helper and flood generator for bench/login_flood.sh (standard library only).

  login_flood.py enrol  URL TOKEN EMAIL PASSWORD   # accept an invitation and confirm TOTP
  login_flood.py flood  URL EMAIL PASSWORD RATE SECONDS
      # RATE password logins per second (correct password: every attempt costs a full Argon2id
      # hash), spread over worker threads; prints one RESULT line with status counts and latency.
"""
import base64, hashlib, hmac, http.client, json, ssl, struct, sys, threading, time
from urllib.parse import urlparse

CTX = ssl._create_unverified_context()  # loopback, self-signed test certificate


def conn(url):
    u = urlparse(url)
    return http.client.HTTPSConnection(u.hostname, u.port, context=CTX, timeout=10)


def post(c, path, body, headers=None):
    h = {"content-type": "application/json"}
    h.update(headers or {})
    c.request("POST", path, json.dumps(body), h)
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else {}), r.getheader("set-cookie")


def totp(secret_b32, t=None):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((t or time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def enrol(url, token, email, password):
    c = conn(url)
    st, v, cookie = post(c, "/v1/invitations/accept",
                         {"token": token, "name": "Bench", "password": password})
    assert st == 200, (st, v)
    sid = cookie.split(";")[0]
    st, v, _ = post(c, "/v1/auth/totp/confirm", {"code": totp(v["totp"]["secret"])},
                    {"cookie": sid, "x-csrf-token": v["csrf_token"]})
    assert st == 200, (st, v)
    print("enrolled", email)


def flood(url, email, password, rate, seconds):
    rate, seconds = float(rate), float(seconds)
    workers = max(1, int(rate))  # each worker sends one login per second
    lat, codes, lock = [], {}, threading.Lock()
    stop = time.time() + seconds

    def worker(offset):
        c = conn(url)
        nxt = time.time() + offset
        while True:
            now = time.time()
            if now >= stop:
                break
            if now < nxt:
                time.sleep(nxt - now)
            t0 = time.time()
            try:
                st, _, _ = post(c, "/v1/auth/login", {"email": email, "password": password})
            except Exception:
                st = "error"
                c = conn(url)
            dt = time.time() - t0
            with lock:
                lat.append(dt)
                codes[st] = codes.get(st, 0) + 1
            nxt += workers / rate

    ts = [threading.Thread(target=worker, args=(i / rate,)) for i in range(workers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0
    print("RESULT login-flood sent=%d per_s=%.1f codes=%s p50=%.1fms p99=%.1fms max=%.1fms" % (
        len(lat), len(lat) / seconds, json.dumps(codes, sort_keys=True), q(0.5), q(0.99),
        lat[-1] * 1000 if lat else 0))


if __name__ == "__main__":
    {"enrol": enrol, "flood": flood}[sys.argv[1]](*sys.argv[2:])
