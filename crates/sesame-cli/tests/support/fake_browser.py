#!/usr/bin/env python3
"""A fake browser for sesame's tests: `fake_browser.py [--deny] URL`.

It opens the URL like a browser would: follows redirects (the emulator's /authorize answers 302 to
sesame's loopback listener), and on the emulator's consent page (no --auto-approve) submits the
Approve or Deny form. Writes what it did to $FAKE_BROWSER_LOG if set.
"""
import html.parser
import os
import sys
import urllib.parse
import urllib.request


class Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}, "buttons": []}
            self.forms.append(self.current)
        elif tag in ("input", "button") and self.current is not None:
            name = a.get("name")
            if not name:
                return
            if a.get("type") == "submit" or tag == "button":
                self.current["buttons"].append((name, a.get("value", "")))
            else:
                self.current["fields"][name] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def log(msg):
    path = os.environ.get("FAKE_BROWSER_LOG")
    if path:
        with open(path, "a") as f:
            f.write(msg + "\n")


def main():
    args = sys.argv[1:]
    deny = "--deny" in args
    url = [a for a in args if not a.startswith("--")][0]
    log("open " + url.split("?")[0])
    with urllib.request.urlopen(url, timeout=30) as resp:
        body = resp.read().decode("utf-8", "replace")
        final = resp.geturl()
    if final.startswith("http://127.0.0.1") and "/oauth/callback" in final:
        log("redirected to callback")
        return
    parser = Forms()
    parser.feed(body)
    want = "deny" if deny else "approve"
    for form in parser.forms:
        for name, value in form["buttons"]:
            if want in (value or "").lower() or want in name.lower():
                data = dict(form["fields"])
                data[name] = value
                action = urllib.parse.urljoin(final, form["action"] or final)
                log(f"submit {want}")
                with urllib.request.urlopen(action, data=urllib.parse.urlencode(data).encode(), timeout=30) as r:
                    r.read()
                return
    log("no form found")
    sys.exit(1)


if __name__ == "__main__":
    main()
