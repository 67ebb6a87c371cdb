package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/permgraph/permgraph/internal/testutil"
)

var (
	diffN    = flag.Int("diff.n", 2000, "number of cases TestDifferentialIAMSimulate generates")
	diffSeed = flag.Uint64("diff.seed", 1, "seed of TestDifferentialIAMSimulate's case generator")
	diffDump = flag.String("diff.dump", "", "write every disagreement, classified or not, to this file")
)

// oracleDir is where `make oracle` installs @cloud-copilot/iam-simulate.
const oracleDir = "internal/oracle/iamsim"

// TestDifferentialIAMSimulate compares our decisions with iam-simulate's, an
// independent implementation of AWS's evaluation logic run in node, on
// generated cases (gen_requests_test.go). Every disagreement must be
// classified by knownDiffs; docs/CONFORMANCE.md describes the classes.
func TestDifferentialIAMSimulate(t *testing.T) {
	root := oracleRoot(t)
	start := time.Now()
	corpus := loadGenCorpus(t)
	g := newGen(*diffSeed, corpus)
	cases := make([]genCase, *diffN)
	for i := range cases {
		cases[i] = g.next(i)
	}
	genTook := time.Since(start)
	peer := runOracle(t, root, cases)
	t.Logf("%d cases: generated in %v, peer took %v", len(cases), genTook.Round(time.Millisecond), (time.Since(start) - genTook).Round(time.Millisecond))

	type tally struct{ agree, known int }
	counts := map[string]*tally{}
	classes := map[string]int{}
	var errs, failures int
	var dump bytes.Buffer
	for i := range cases {
		c := &cases[i]
		p := peer[i]
		if p.Decision == "Error" {
			errs++
			if errs <= 5 {
				t.Errorf("%s: the peer rejected the case (a generator bug): %s\n%s", c.Name, p.Error, c.dump())
			}
			continue
		}
		for _, k := range p.IgnoredContextKeys {
			// The peer drops keys that do not apply to the action, as AWS
			// leaves them out of the request context; so do we.
			delete(c.Context, k)
		}
		req, set, err := c.toEngine()
		if err != nil {
			t.Errorf("%s: %v\n%s", c.Name, err, c.dump())
			continue
		}
		res := Evaluate(req, set)
		got := res.Decision
		want := peerDecision(p.Decision)
		if counts[p.Decision] == nil {
			counts[p.Decision] = &tally{}
		}
		if got == want {
			counts[p.Decision].agree++
			continue
		}
		why, ok := knownDiffs(c, &res, want)
		fmt.Fprintf(&dump, "== %s: peer %s, ours %s, class %q\n%s\n-- our reasons: %+v\n", c.Name, p.Decision, got, why, c.dump(), res.Explanation)
		if ok {
			counts[p.Decision].known++
			classes[why]++
			continue
		}
		failures++
		if failures <= 3 {
			t.Errorf("%s: iam-simulate says %s, we say %s\n%s", c.Name, p.Decision, got, c.dump())
		}
	}
	if *diffDump != "" {
		if err := os.WriteFile(*diffDump, dump.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
	if errs > 5 {
		t.Errorf("… %d cases rejected by the peer in all", errs)
	}
	if failures > 3 {
		t.Errorf("… %d unclassified disagreements in all", failures)
	}
	outcomes := make([]string, 0, len(counts))
	for o := range counts {
		outcomes = append(outcomes, o)
	}
	sort.Strings(outcomes)
	for _, o := range outcomes {
		t.Logf("peer %-16s agree %5d, known differences %4d", o, counts[o].agree, counts[o].known)
	}
	whys := make([]string, 0, len(classes))
	for w := range classes {
		whys = append(whys, w)
	}
	sort.Strings(whys)
	for _, w := range whys {
		t.Logf("known difference %4d × %s", classes[w], w)
	}
}

// oracleRoot returns the repository root if node and the oracle are
// installed. Otherwise it fails under CI and skips elsewhere: a missing
// oracle must never look like a pass.
func oracleRoot(t *testing.T) string {
	t.Helper()
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatalf("locating repository root: %v", err)
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(root, oracleDir, "node_modules", "@cloud-copilot", "iam-simulate")); err != nil {
		missing = oracleDir + "/node_modules is missing"
	}
	if missing == "" {
		return root
	}
	msg := "differential oracle unavailable (" + missing + "): run `make oracle`"
	if ci := os.Getenv("CI"); ci != "" && ci != "false" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

type oracleResult struct {
	Name               string   `json:"name"`
	Decision           string   `json:"decision"`
	IgnoredContextKeys []string `json:"ignoredContextKeys"`
	Error              string   `json:"error"`
}

// runOracle evaluates every case in one node process.
func runOracle(t *testing.T, root string, cases []genCase) []oracleResult {
	t.Helper()
	in := make([]map[string]any, len(cases))
	for i := range cases {
		in[i] = map[string]any{"name": cases[i].Name, "sim": cases[i].simulation()}
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(oracleDir, "simulate.mjs"))
	cmd.Dir = root
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s/simulate.mjs: %v\n%s", oracleDir, err, stderr.String())
	}
	var res []oracleResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node %s/simulate.mjs: decoding output: %v", oracleDir, err)
	}
	if len(res) != len(cases) {
		t.Fatalf("node %s/simulate.mjs: %d results for %d cases", oracleDir, len(res), len(cases))
	}
	for i := range res {
		if res[i].Name != cases[i].Name {
			t.Fatalf("node %s/simulate.mjs: result %d is %q, want %q", oracleDir, i, res[i].Name, cases[i].Name)
		}
	}
	return res
}

func peerDecision(s string) Decision {
	switch s {
	case "Allowed":
		return Allowed
	case "ExplicitlyDenied":
		return ExplicitDeny
	}
	return ImplicitDeny
}

// simulation returns the case as iam-simulate's Simulation input.
func (c *genCase) simulation() map[string]any {
	ctx := map[string]any{}
	for k, v := range c.Context {
		if len(v) == 1 && !multiValued[strings.ToLower(k)] {
			ctx[k] = v[0]
		} else {
			ctx[k] = v
		}
	}
	named := func(prefix string, docs []json.RawMessage) []map[string]any {
		out := []map[string]any{}
		for i, d := range docs {
			out = append(out, map[string]any{"name": fmt.Sprintf("%s-%d", prefix, i), "policy": d})
		}
		return out
	}
	levels := func(prefix string, ls [][]json.RawMessage) []map[string]any {
		out := []map[string]any{}
		for i, l := range ls {
			id := fmt.Sprintf("ou-%d", i)
			if i == 0 {
				id = "r-root"
			}
			out = append(out, map[string]any{"orgIdentifier": id, "policies": named(fmt.Sprintf("%s%d", prefix, i), l)})
		}
		return out
	}
	sim := map[string]any{
		"request": map[string]any{
			"principal":        c.Principal,
			"action":           c.Action,
			"resource":         map[string]any{"resource": c.Resource, "accountId": c.ResourceAccount},
			"contextVariables": ctx,
		},
		"identityPolicies":        named("identity", c.Identity),
		"serviceControlPolicies":  levels("scp", c.SCPs),
		"resourceControlPolicies": levels("rcp", c.RCPs),
	}
	if c.Boundary != nil {
		sim["permissionBoundaryPolicies"] = named("boundary", c.Boundary)
	}
	if c.Session != nil {
		sim["sessionPolicy"] = c.Session
	}
	if c.ResourcePolicy != nil {
		sim["resourcePolicy"] = c.ResourcePolicy
	}
	return sim
}

// toEngine returns the case as our request and policy set.
func (c *genCase) toEngine() (*Request, *Set, error) {
	ctx := Context{Complete: true}
	for k, v := range c.Context {
		ctx.Set(k, v...)
	}
	req, err := NewRequest(Request{Principal: c.Principal, Action: c.Action, Resource: c.Resource,
		ResourceAccount: c.ResourceAccount, Context: ctx})
	if err != nil {
		return nil, nil, err
	}
	set := &Set{}
	if set.Identity, err = compileAll("identity", c.Identity); err != nil {
		return nil, nil, err
	}
	if c.Boundary != nil {
		if set.Boundary, err = compileAll("boundary", c.Boundary); err != nil {
			return nil, nil, err
		}
	}
	if c.Session != nil {
		if set.Session, err = compileAll("session", []json.RawMessage{c.Session}); err != nil {
			return nil, nil, err
		}
	}
	if c.ResourcePolicy != nil {
		rs, err := compileAll("resource", []json.RawMessage{c.ResourcePolicy})
		if err != nil {
			return nil, nil, err
		}
		set.Resource = rs[0]
	}
	toLevels := func(ls [][]json.RawMessage) []vectorOrgLevel {
		out := make([]vectorOrgLevel, len(ls))
		for i, l := range ls {
			out[i].Policies = l
		}
		return out
	}
	if set.SCPs, err = compileLevels("scp", toLevels(c.SCPs)); err != nil {
		return nil, nil, err
	}
	if set.RCPs, err = compileLevels("rcp", toLevels(c.RCPs)); err != nil {
		return nil, nil, err
	}
	return req, set, nil
}

// dump prints the case as the peer's Simulation, ready to paste into a
// reproducer.
func (c *genCase) dump() string {
	b, err := json.MarshalIndent(map[string]any{"features": c.Features, "sim": c.simulation()}, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// knownDiffs classifies a disagreement as a known difference, keyed by a
// rule recognisable from the case, not by case name. It returns false for
// any other disagreement, which fails the test. docs/CONFORMANCE.md explains
// each class with its AWS documentation reference.
func knownDiffs(c *genCase, ours *Result, peer Decision) (string, bool) {
	for _, r := range diffRules {
		if r.match(c, ours, peer) {
			return r.why, true
		}
	}
	return "", false
}

var diffRules = []struct {
	why   string
	match func(c *genCase, ours *Result, peer Decision) bool
}{
	{
		// "AWS account root user": the root user has complete access to
		// all services and resources in its account; only SCPs (and
		// resource-side denies) limit it. The peer gives the root user no
		// permissions of its own.
		why: "root user has every permission in its own account",
		match: func(c *genCase, ours *Result, peer Decision) bool {
			return strings.HasSuffix(c.Principal, ":root") && accountOf(c.Principal) == c.ResourceAccount &&
				ours.Decision == Allowed && peer == ImplicitDeny
		},
	},
	{
		// "Session policies" (IAM User Guide, "Policies and permissions"):
		// a resource-based policy that names the session adds its
		// permissions after the session is created, unlimited by the
		// session policy. We read Principal "*" as naming every session;
		// the peer lets a session policy without an allow deny everything.
		// The vectors' whySessionARN is the same class.
		why: whySessionARN + " (Principal \"*\" or the session ARN)",
		match: func(c *genCase, ours *Result, peer Decision) bool {
			if ours.Decision != Allowed || peer != ImplicitDeny || c.Session == nil {
				return false
			}
			direct := false
			for _, r := range ours.Explanation {
				switch {
				case r.Layer == LayerSession:
					return false // the session policy allows: some other difference
				case r.Layer == LayerResource && r.Statement >= 0:
					p := c.policyNamed(r.Policy)
					direct = direct || p != nil && namesSession(p.Statements[r.Statement].Principal, c.Principal)
				}
			}
			return direct
		},
	},
	{
		// "IAM JSON policy elements: Resource", using wildcards in resource
		// ARNs: "*" expands over everything in its segment, "/" included,
		// in every service. The peer does not let a wildcard in the
		// resource type (before the first "/") span a "/".
		why: "peer: a wildcard before the first '/' of the resource does not span '/'",
		match: func(c *genCase, ours *Result, peer Decision) bool {
			return ours.Decision != peer && c.someDecidingStatement(ours, slashWildcard)
		},
	},
}

// decidingStatements reports whether every statement our explanation
// names satisfies f.
func (c *genCase) decidingStatements(res *Result, f func(*Statement) bool) bool {
	n := 0
	for _, r := range res.Explanation {
		if r.Statement < 0 {
			continue
		}
		p := c.policyNamed(r.Policy)
		if p == nil || r.Statement >= len(p.Statements) || !f(&p.Statements[r.Statement]) {
			return false
		}
		n++
	}
	return n > 0
}

// someDecidingStatement reports whether a statement our explanation names,
// other than an SCP's, satisfies f.
func (c *genCase) someDecidingStatement(res *Result, f func(*Statement) bool) bool {
	for _, r := range res.Explanation {
		if r.Statement < 0 || r.Layer == LayerSCP {
			continue
		}
		if p := c.policyNamed(r.Policy); p != nil && r.Statement < len(p.Statements) && f(&p.Statements[r.Statement]) {
			return true
		}
	}
	return false
}

// slashWildcard reports whether a Resource or NotResource entry has a
// wildcard in its resource part before a "/".
func slashWildcard(s *Statement) bool {
	for _, r := range append(append([]string(nil), s.Resource...), s.NotResource...) {
		parts := strings.SplitN(r, ":", 6)
		if len(parts) < 6 {
			continue
		}
		if head, _, ok := strings.Cut(parts[5], "/"); ok && strings.ContainsAny(head, "*?") {
			return true
		}
	}
	return false
}

// policyNamed finds a policy by the name compileAll and compileLevels gave it.
func (c *genCase) policyNamed(name string) *Policy {
	var doc json.RawMessage
	prefix, idx, _ := strings.Cut(name, "-")
	i, err := strconv.Atoi(idx)
	if err != nil {
		return nil
	}
	var docs []json.RawMessage
	switch {
	case prefix == "identity":
		docs = c.Identity
	case prefix == "boundary":
		docs = c.Boundary
	case prefix == "session":
		docs = []json.RawMessage{c.Session}
	case prefix == "resource":
		docs = []json.RawMessage{c.ResourcePolicy}
	case strings.HasPrefix(prefix, "scp"), strings.HasPrefix(prefix, "rcp"):
		lvl, err := strconv.Atoi(prefix[3:])
		levels := c.SCPs
		if prefix[:3] == "rcp" {
			levels = c.RCPs
		}
		if err != nil || lvl >= len(levels) {
			return nil
		}
		docs = levels[lvl]
	}
	if i >= len(docs) {
		return nil
	}
	doc = docs[i]
	p, err := Parse(doc)
	if err != nil {
		return nil
	}
	return p
}

// namesSession reports whether a Principal element names the session
// itself: "*", {"AWS": "*"} or the session's ARN.
func namesSession(p *Principal, session string) bool {
	if p == nil {
		return false
	}
	if p.Wildcard {
		return true
	}
	for _, a := range p.AWS {
		if a == "*" || a == session {
			return true
		}
	}
	return false
}

func (c *genCase) hasKey(key string) bool {
	for k := range c.Context {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}
