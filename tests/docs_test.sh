#!/usr/bin/env bash
# The README as the front door: under 300 lines, its quick start on the first screen (within
# its first 40 lines), a link to every page of docs/, and every relative link of the README and
# of docs/*.md pointing at a file that exists (anchors are not checked).
# Usage: docs_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT   (the executable is not used)
set -uo pipefail
root=$(cd "$2" && pwd)
source "$root/tests/lib.sh"

check "the README is under 300 lines" test "$(wc -l < "$root/README.md")" -lt 300
check "the quick start begins on the README's first screen" bash -c \
  "[[ \$(grep -n '^## Quick start' '$root/README.md' | cut -d: -f1) -le 40 ]]"
check "every relative link resolves and every docs/ page is linked from the README" "$python" - "$root" <<'PY'
import os, re, sys
root = sys.argv[1]
pages = ["README.md"] + sorted("docs/" + name for name in os.listdir(os.path.join(root, "docs")) if name.endswith(".md"))
broken, linked = [], set()
for page in pages:
    text = open(os.path.join(root, page), encoding="utf-8").read()
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # links inside code blocks are code
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^(https?:|mailto:|#)", target):
            continue
        path = os.path.normpath(os.path.join(root, os.path.dirname(page), target.split("#")[0]))
        if not os.path.exists(path):
            broken.append(f"{page}: {target}")
        if page == "README.md":
            linked.add(os.path.relpath(path, root))
unlinked = [page for page in pages[1:] if page not in linked]
for line in broken:
    print("broken link:", line)
for page in unlinked:
    print("not linked from the README:", page)
sys.exit(1 if broken or unlinked else 0)
PY
finish docs_test
