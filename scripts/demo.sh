#!/usr/bin/env bash
# demo.sh BIN: the product on an embedded scenario, then on a synthetic
# organization: write it, ingest it into a Badger store, and ask the
# org-wide questions. Everything goes to a temporary directory. Outputs are
# written to files before being shortened, so that head never cuts a pipe
# (pipefail would report that as a failure).
set -euo pipefail
bin="${1:-bin/permgraph}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

section() { printf '\n=== %s\n\n' "$1"; }

section "1. One request, explained: an AI agent's role with a copied admin policy under SCP guardrails"
"$bin" demo

section "2. A synthetic organization (10 accounts would be --size M; S keeps the demo quick)"
"$bin" synth --size S --seed 1 "$work/org"

section "3. Ingest it into an immutable snapshot"
"$bin" ingest --data "$work/data" "$work/org"

section "4. Findings: escalation paths, AI agents with privileged reach, unused privilege (first 15)"
"$bin" findings --data "$work/data" > "$work/findings.txt"
head -16 "$work/findings.txt" | cut -c1-200
echo "... $(($(wc -l < "$work/findings.txt") - 1)) findings in all (permgraph findings -o json for scripts)"

section "5. Chokepoints: fix these first"
"$bin" chokepoints --data "$work/data" --top 5 | cut -c1-200

agent="$(grep -o '"principal": *"[^"]*agent[^"]*"' "$work/org/planted.json" | head -1 | sed 's/.*"\(arn[^"]*\)"/\1/')"
if [ -n "$agent" ]; then
	section "6. Blast radius of an AI agent: $agent"
	"$bin" blast-radius --data "$work/data" "$agent" > "$work/blast.txt"
	head -25 "$work/blast.txt" | cut -c1-200
fi
