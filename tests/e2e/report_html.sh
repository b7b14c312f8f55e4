# socq report --format html: one self-contained page (inline CSS and SVG, no
# script, no external request), every brand- or customer-written string
# escaped, and every figure equal to --format json's (each figure cell names
# its JSON pointer in data-m).
source "$(dirname "$0")/helpers.bash"
# The example cases, triaged (SLA clocks for the attainment chart), plus one
# whose customer, category, tag, owner and text try to inject markup.
DB="$WORK/r.db"
expect_exit 0 "$SOCQ" fetch --from "$SRC/examples/cases.jsonl" --store "$DB"
expect_exit 0 "$SOCQ" triage --rules "$SRC/examples/rules.toml" --store "$DB"
cat >"$WORK/evil.jsonl" <<'CASES'
{"v":1,"id":"x:brand<i>:<b>1","rev":1,"channel":"x","account":"brand<i>","customer":{"id":"c1","handle":"<script>alert('h')</script>","followers":50},"messages":[{"id":"e1","dir":"in","at":"2026-11-22T09:00:00Z","author":"<script>a</script>","text":"<script>alert(1)</script> refund refund","public":true},{"id":"e2","dir":"out","at":"2026-11-22T09:30:00Z","author":"@brand","text":"ok"}],"status":"open","priority":"p2","category":"<script>alert(\"c\")</script>","tags":["x\"><svg onload=alert(2)>","&amp;'"],"owner":"<img src=x onerror=alert(3)>","updated_at":"2026-11-22T09:30:00Z"}
CASES
expect_exit 0 "$SOCQ" fetch --from "$WORK/evil.jsonl" --store "$DB"

# check BY: the html and json reports of the store grouped by BY agree.
check() {
  "$SOCQ" report --store "$DB" --by "$1" --format json >"$WORK/r.json" 2>/dev/null || fail "json report --by $1"
  expect_exit 0 "$SOCQ" report --store "$DB" --by "$1" --format html
  /usr/bin/python3 - "$WORK/out" "$WORK/r.json" "$1" <<'PY' || fail "html report --by $1"
import html.parser, json, re, sys
page, doc, by = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
assert page.startswith("<!DOCTYPE html>\n"), "not an HTML page"
for bad in ("<script", "<img", "http://", "https://", "url(", "@import"):
    assert bad not in page.lower(), f"page holds {bad!r}"
assert page.count("<svg") >= 3 and "<style>" in page, "charts or inline CSS missing"

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures, self.stack, self.text, self.tags = [], [], [], set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        for name in attrs:  # nothing that loads or runs anything
            assert name not in ("src", "href", "xlink:href") and not name.startswith("on"), f"<{tag} {name}=...>"
        self.stack.append(attrs.get("data-m"))
        if attrs.get("data-m"): self.text = []
    def handle_endtag(self, tag):
        m = self.stack.pop() if self.stack else None
        if m: self.figures.append((m, "".join(self.text)))
    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        assert not any(n in ("src", "href") or n.startswith("on") for n, _ in attrs), tag
    def handle_data(self, data):
        self.text.append(data)
p = Page()
p.feed(page)
assert not (p.tags - {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "div", "b", "table",
                      "tr", "th", "td", "svg", "rect", "text", "title"}), f"unexpected tags {p.tags}"

def at(pointer):
    v = doc
    for t in pointer.split("/")[1:]:
        t = t.replace("~1", "/").replace("~0", "~")
        v = v[int(t)] if isinstance(v, list) else v[t]
    return v
for pointer, shown in p.figures:
    want = at(pointer)
    if want is None:
        assert shown == "–", f"{pointer}: shows {shown!r}, json null"
    else:
        assert float(shown) == float(want), f"{pointer}: shows {shown!r}, json {want!r}"
assert len(p.figures) >= 100, f"only {len(p.figures)} figures checked"
# Every group of the json is on the page, its key as text.
keys = [g["key"] for g in doc["groups"]]
assert len(keys) >= 3, keys
for i, k in enumerate(keys):
    assert f"/groups/{i}/volume/cases" in {m for m, _ in p.figures}, k
    assert html.escape(k, quote=True).replace("&#x27;", "&#39;") in page, f"group {k!r} not shown escaped"
print(f"{len(p.figures)} figures equal the json", file=sys.stderr)
PY
  pass
}
check account
check category
expect_out "&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;"
check owner
expect_out "&lt;img src=x onerror=alert(3)&gt;"
check channel
# From a file: its top tags and categories are listed, escaped.
expect_exit 0 "$SOCQ" report "$WORK/evil.jsonl" --format html
expect_out "<title>socq report 2026-11-23T09:00:00Z</title>"
expect_out "<td>x&quot;&gt;&lt;svg onload=alert(2)&gt;</td>"
expect_out "<td>&amp;amp;&#39;</td>"
expect_out "<td>&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;</td>"
grep -q "<script" "$WORK/out" && fail "a raw <script in the page"; pass
done_ok
