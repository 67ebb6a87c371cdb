package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/permgraph/permgraph/analysis/catalog"
	"github.com/permgraph/permgraph/internal/testutil"
)

// This file generates random but meaningful evaluation cases for the
// differential test against iam-simulate (differential_test.go). A case is
// built around real policies (AWS managed policies, the aws-samples SCP and
// RCP examples) and generated ones, and its request is drawn from what those
// policies mention, so that many cases are allowed or explicitly denied
// rather than implicitly denied for want of any matching statement.

const (
	genAccount = "111111111111" // the organization account that owns resources
	genOther   = "222222222222" // another account, for cross-account cases
	genOrgID   = "o-abc123def4"
	genRegion  = "us-east-1"
)

// genCase is one generated evaluation case, neutral between our engine and
// the peer's Simulation input.
type genCase struct {
	Name            string
	Principal       string
	Action          string
	Resource        string
	ResourceAccount string
	Context         map[string][]string // key as written → values
	Identity        []json.RawMessage
	Boundary        []json.RawMessage // nil: no permissions boundary
	Session         json.RawMessage   // nil: no session policy
	ResourcePolicy  json.RawMessage   // nil: none
	SCPs, RCPs      [][]json.RawMessage
	Features        []string // what the case exercises, for the log and for knownDiffs
}

// genCorpus is the real-world material cases are built from.
type genCorpus struct {
	cat     *catalog.Catalog
	managed []json.RawMessage
	scps    []json.RawMessage
	rcps    []json.RawMessage
}

func loadGenCorpus(t *testing.T) *genCorpus {
	t.Helper()
	c := &genCorpus{cat: catalog.Embedded()}
	path := testutil.SharedData(t, "managed-policies/aws-managed-policies.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var mp struct {
		Policies map[string]struct {
			Document json.RawMessage `json:"document"`
		} `json:"policies"`
	}
	if err := json.Unmarshal(data, &mp); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	names := make([]string, 0, len(mp.Policies))
	for n := range mp.Policies {
		names = append(names, n)
	}
	sort.Strings(names) // map order must not leak into the seeded generator
	for _, n := range names {
		if p, err := Parse(mp.Policies[n].Document); err == nil && compiles(p) {
			c.managed = append(c.managed, mp.Policies[n].Document)
		}
	}
	dir := testutil.SharedData(t, "scp-examples")
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") || strings.Contains(p, "vpc_endpoint") {
			return err
		}
		doc, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pol, err := Parse(doc)
		if err != nil {
			return nil // one example is not valid JSON
		}
		if _, err := Compile(p, pol); err != nil || !arnResources(pol) {
			return nil // placeholders such as "<my-corporate-cidr>" where an IP address belongs
		}
		if strings.Contains(p, "resource_control") || strings.Contains(p, "resource-control") {
			if validRCP(pol) {
				c.rcps = append(c.rcps, doc)
				c.rcps = append(c.rcps, placeholders(doc)...)
			}
			return nil
		}
		c.scps = append(c.scps, doc)
		c.scps = append(c.scps, placeholders(doc)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.managed) == 0 || len(c.scps) == 0 || len(c.rcps) == 0 {
		t.Fatalf("corpus: %d managed policies, %d SCPs, %d RCPs", len(c.managed), len(c.scps), len(c.rcps))
	}
	return c
}

// arnResources reports whether every Resource and NotResource entry is "*"
// or an ARN. Some examples hold placeholders such as "<third-party-resource>"
// there, which IAM and Organizations reject.
func arnResources(p *Policy) bool {
	for _, s := range p.Statements {
		for _, r := range append(append([]string(nil), s.Resource...), s.NotResource...) {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				return false
			}
		}
	}
	return true
}

func compiles(p *Policy) bool {
	_, err := Compile("", p)
	return err == nil
}

// placeholders returns the example with "${Account}", which the examples
// use for "your account ID" but IAM would read as an (unresolvable) policy
// variable, filled in; nothing if the example has none. The corpus keeps
// both forms.
func placeholders(doc []byte) []json.RawMessage {
	if !bytes.Contains(doc, []byte("${Account}")) {
		return nil
	}
	return []json.RawMessage{bytes.ReplaceAll(doc, []byte("${Account}"), []byte(genAccount))}
}

// validRCP keeps the RCP examples AWS Organizations would accept: Deny
// statements only, each with a Resource and without Action "*" (Organizations
// "Resource control policies" syntax). The peer rejects the others.
func validRCP(p *Policy) bool {
	for _, s := range p.Statements {
		if s.Effect != Deny || s.Resource == nil && s.NotResource == nil {
			return false
		}
		for _, a := range s.Action {
			if a == "*" {
				return false
			}
		}
	}
	return true
}

// gen draws cases from a seeded source: the same seed gives the same cases.
type gen struct {
	r      *rand.Rand
	corpus *genCorpus
	c      *genCase
	region string
	// conds are the conditions of every policy of the case, for the context.
	conds []Condition
	// resHints are the Resource patterns the policies mention.
	resHints []string
}

func newGen(seed uint64, corpus *genCorpus) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), corpus: corpus}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// next returns case number i. It retries internally until the action and
// resource make a request both engines accept.
func (g *gen) next(i int) genCase {
	for {
		if c, ok := g.try(fmt.Sprintf("case-%04d", i)); ok {
			return c
		}
	}
}

func (g *gen) try(name string) (genCase, bool) {
	g.c = &genCase{Name: name, Context: map[string][]string{}}
	g.conds, g.resHints = nil, nil
	g.region = pick(g, []string{genRegion, genRegion, "eu-west-1"})
	c := g.c

	scenario := pick(g, []string{"managed", "managed", "generated", "s3", "kms", "trust"})
	c.Features = append(c.Features, "scenario:"+scenario)
	principalAcct := genAccount
	if scenario == "s3" || scenario == "kms" || scenario == "trust" {
		if g.chance(0.5) {
			principalAcct = genOther
		}
	}
	c.ResourceAccount = genAccount

	// Organizations: SCPs for the principal's account, RCPs for the resource's.
	if g.chance(0.6) {
		g.scpLevels()
	}
	if g.chance(0.3) {
		g.rcpLevels()
	}

	var action string
	switch scenario {
	case "managed":
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			c.Identity = append(c.Identity, pick(g, g.corpus.managed))
		}
		action = g.actionFrom(c.Identity)
	case "generated":
		action = g.randomAction()
	case "s3":
		action = "s3:" + pick(g, []string{"GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy", "GetObjectTagging"})
	case "kms":
		action = "kms:" + pick(g, []string{"Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ScheduleKeyDeletion", "CreateGrant"})
	case "trust":
		action = "sts:AssumeRole"
	}
	resourceScenario := scenario == "s3" || scenario == "kms" || scenario == "trust"
	if c.SCPs != nil && !resourceScenario && g.chance(0.2) {
		action = g.actionFrom(flatten(c.SCPs))
	} else if c.RCPs != nil && !resourceScenario && g.chance(0.2) {
		action = g.actionFrom(flatten(c.RCPs))
	}
	if action == "" {
		return genCase{}, false
	}
	a, ok := g.corpus.cat.Lookup(action)
	if !ok || strings.ContainsAny(action, " *?") {
		return genCase{}, false
	}
	c.Action = a.String()

	g.principal(principalAcct)
	if c.Resource = g.resourceFor(a); c.Resource == "" {
		return genCase{}, false
	}
	if strings.HasPrefix(c.Resource, "arn:") && !strings.HasPrefix(c.Resource, "arn:aws:s3:") {
		if acct := strings.SplitN(c.Resource, ":", 6)[4]; acct != "" {
			c.ResourceAccount = acct
		}
	}
	if c.ResourceAccount != accountOf(c.Principal) {
		c.Features = append(c.Features, "cross-account")
	}

	root := strings.HasSuffix(c.Principal, ":root")
	if scenario != "managed" && !root && g.chance(0.8) {
		c.Identity = append(c.Identity, g.policy(1+g.r.IntN(3), false))
	}
	if root {
		c.Identity = nil // IAM attaches no policies to the root user
	}
	// Every role has a trust policy and every KMS key a key policy, and
	// AWS consults them even within the account.
	switch {
	case resourceScenario:
	case strings.HasPrefix(c.Resource, "arn:aws:iam::") && strings.Contains(c.Resource, ":role/") &&
		strings.HasPrefix(c.Action, "sts:"):
		scenario = "trust"
	case strings.HasPrefix(c.Resource, "arn:aws:kms:") && strings.Contains(c.Resource, ":key/"):
		scenario = "kms"
	}
	switch scenario {
	case "s3", "kms", "trust":
		c.ResourcePolicy = g.resourcePolicy(scenario)
		c.Features = append(c.Features, "resource-policy")
	}
	if !root && g.chance(0.25) {
		c.Features = append(c.Features, "boundary")
		if len(c.Identity) > 0 && g.chance(0.4) {
			c.Boundary = append(c.Boundary, pick(g, c.Identity))
		} else {
			c.Boundary = append(c.Boundary, g.policy(1+g.r.IntN(2), false))
		}
	}
	if strings.Contains(c.Principal, ":assumed-role/") && g.chance(0.3) {
		c.Features = append(c.Features, "session-policy")
		c.Session = g.policy(1+g.r.IntN(2), false)
	}
	for _, docs := range [][]json.RawMessage{c.Identity, c.Boundary, {c.Session}, {c.ResourcePolicy}, flatten(c.SCPs), flatten(c.RCPs)} {
		for _, d := range docs {
			g.noteConditions(d)
		}
	}
	g.context()
	return *c, true
}

func flatten(levels [][]json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	for _, l := range levels {
		out = append(out, l...)
	}
	return out
}

func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

var fullAWSAccess = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

// scpLevels attaches one to three SCP levels (root, OU, account).
func (g *gen) scpLevels() {
	c := g.c
	n := 1 + g.r.IntN(3)
	c.Features = append(c.Features, "scp:"+strconv.Itoa(n))
	for range n {
		var level []json.RawMessage
		if g.chance(0.9) {
			level = append(level, fullAWSAccess)
		} else {
			level = append(level, g.allowList())
			c.Features = append(c.Features, "scp-allowlist")
		}
		if g.chance(0.35) {
			level = append(level, pick(g, g.corpus.scps))
		}
		if g.chance(0.2) {
			level = append(level, g.denyPolicy())
		}
		c.SCPs = append(c.SCPs, level)
	}
}

func (g *gen) rcpLevels() {
	c := g.c
	n := 1 + g.r.IntN(2)
	c.Features = append(c.Features, "rcp:"+strconv.Itoa(n))
	for range n {
		var level []json.RawMessage
		if g.chance(0.7) {
			level = append(level, pick(g, g.corpus.rcps))
		}
		c.RCPs = append(c.RCPs, level)
	}
}

// actionFrom picks an action that one of the documents names (expanding
// wildcards through the catalog), so that the request meets its statements.
func (g *gen) actionFrom(docs []json.RawMessage) string {
	var patterns []string
	for _, d := range docs {
		p, err := Parse(d)
		if err != nil {
			continue
		}
		for _, s := range p.Statements {
			patterns = append(patterns, s.Action...)
			if s.NotAction != nil {
				patterns = append(patterns, g.randomAction())
			}
			g.resHints = append(g.resHints, s.Resource...)
		}
	}
	if len(patterns) == 0 {
		return g.randomAction()
	}
	pat := pick(g, patterns)
	if pat == "*" {
		return g.randomAction()
	}
	as := g.corpus.cat.Expand(pat)
	if len(as) == 0 {
		return ""
	}
	return pick(g, as).String()
}

var genServices = []string{"s3", "ec2", "iam", "kms", "sts", "lambda", "dynamodb", "sqs", "sns",
	"logs", "secretsmanager", "ssm", "cloudtrail", "organizations", "rds", "ecr"}

func (g *gen) randomAction() string {
	svc, ok := g.corpus.cat.Service(pick(g, genServices))
	if !ok {
		return ""
	}
	return pick(g, svc.Actions).String()
}

// principal picks the caller: an IAM user, a role, a role session or the
// account's root user, sometimes one that the policies name.
func (g *gen) principal(acct string) {
	c := g.c
	// The root user is rarer than IAM principals, as in a real account.
	kind := pick(g, []string{"user", "user", "role", "role", "session", "session", "session", "root"})
	name := pick(g, []string{"alice", "app-role", "Admin", "deploy", "ci-runner"})
	switch kind {
	case "user":
		c.Principal = fmt.Sprintf("arn:aws:iam::%s:user/%s", acct, name)
	case "role":
		c.Principal = fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, name)
	case "session":
		c.Principal = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, name, pick(g, []string{"s1", "alice", "i-0abc"}))
	case "root":
		c.Principal = fmt.Sprintf("arn:aws:iam::%s:root", acct)
	}
	c.Features = append(c.Features, "principal:"+kind)
}

// resourceFor returns a concrete resource for the action: "*" for an action
// without resource types, else an ARN of exactly one of its resource types,
// preferably one that a policy names.
func (g *gen) resourceFor(a catalog.Action) string {
	if a.WildcardOnly() {
		return "*"
	}
	ok := func(arn string) bool {
		n := 0
		for _, rt := range g.corpus.cat.ResourceTypesFor(arn) {
			for _, ref := range a.ResourceTypes {
				// A literal '*' in a template is read differently by the
				// peer's ARN matcher; such types are rare, so leave them out.
				if rt.Service == a.Service && rt.Key == ref.Name && !strings.Contains(rt.ARN, "*") {
					n++
				}
			}
		}
		return n == 1
	}
	acct := g.c.ResourceAccount
	hints := g.resHints
	if g.chance(0.6) {
		for _, i := range g.r.Perm(len(hints)) {
			if arn := g.instantiate(hints[i], acct); arn != "" && ok(arn) {
				return arn
			}
		}
	}
	svc, _ := g.corpus.cat.Service(a.Service)
	for _, i := range g.r.Perm(len(a.ResourceTypes)) {
		for _, rt := range svc.ResourceTypes {
			if rt.Key != a.ResourceTypes[i].Name {
				continue
			}
			if arn := g.fill(rt.ARN, acct); ok(arn) {
				return arn
			}
		}
	}
	return ""
}

// instantiate turns a Resource pattern into a concrete ARN.
func (g *gen) instantiate(pattern, acct string) string {
	if !strings.HasPrefix(pattern, "arn:") || strings.Contains(pattern, "${") {
		return ""
	}
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	fix := func(s, with string) string {
		if s == "*" {
			return with
		}
		return s
	}
	parts[1] = "aws"
	parts[3] = fix(parts[3], g.region)
	parts[4] = fix(parts[4], acct)
	if parts[2] == "s3" || parts[2] == "iam" {
		parts[3] = ""
	}
	if parts[4] != "" && parts[4] != acct {
		return ""
	}
	res := strings.ReplaceAll(parts[5], "*", pick(g, []string{"data", "x1", "prod"}))
	res = strings.ReplaceAll(res, "?", "a")
	if res == "" {
		return ""
	}
	parts[5] = res
	return strings.Join(parts, ":")
}

// fill instantiates an ARN template of the catalog.
func (g *gen) fill(tmpl, acct string) string {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			return ""
		}
		b.WriteString(tmpl[:i])
		switch v := tmpl[i+2 : i+j]; v {
		case "Partition":
			b.WriteString("aws")
		case "Region":
			b.WriteString(g.region)
		case "Account":
			b.WriteString(acct)
		case "BucketName":
			b.WriteString(pick(g, []string{"data-bucket", "logs-bucket"}))
		case "ObjectName":
			b.WriteString(pick(g, []string{"reports/q1.csv", "home/alice/notes.txt"}))
		case "RoleNameWithPath":
			b.WriteString(pick(g, []string{"app-role", "Admin", "deploy"}))
		default:
			b.WriteString(strings.ToLower(v) + pick(g, []string{"-1", "-2"}))
		}
		tmpl = tmpl[i+j+1:]
	}
}

// policy generates a document of n statements about the case's action and
// resource, with the action and resource sometimes missed on purpose.
func (g *gen) policy(n int, allowOnly bool) json.RawMessage {
	var stmts []map[string]any
	for range n {
		effect := "Allow"
		if !allowOnly && g.chance(0.25) {
			effect = "Deny"
		}
		stmts = append(stmts, g.statement(effect, false))
	}
	return genDoc(stmts)
}

func genDoc(stmts []map[string]any) json.RawMessage {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}

// allowList is an SCP that allows a few services only (an allow-list
// strategy), written before the action is chosen.
func (g *gen) allowList() json.RawMessage {
	var acts []string
	for n := 1 + g.r.IntN(4); n > 0; n-- {
		acts = append(acts, pick(g, genServices)+":*")
	}
	return genDoc([]map[string]any{{"Effect": "Allow", "Action": acts, "Resource": "*"}})
}

// denyPolicy is an SCP-style deny, written before the action is chosen.
func (g *gen) denyPolicy() json.RawMessage {
	act := g.randomAction()
	if g.chance(0.4) {
		act = strings.SplitN(act, ":", 2)[0] + ":*"
	}
	s := map[string]any{"Effect": "Deny", "Action": act, "Resource": "*"}
	if g.chance(0.7) {
		g.addCondition(s)
	}
	return genDoc([]map[string]any{s})
}

func (g *gen) statement(effect string, withPrincipal bool) map[string]any {
	c := g.c
	svc := strings.SplitN(c.Action, ":", 2)[0]
	other := g.otherAction(svc)
	s := map[string]any{"Effect": effect}
	switch x := g.r.Float64(); {
	case x < 0.4:
		s["Action"] = c.Action
	case x < 0.55:
		s["Action"] = svc + ":*"
	case x < 0.7:
		name := strings.SplitN(c.Action, ":", 2)[1]
		s["Action"] = svc + ":" + name[:min(len(name), 3)] + "*"
	case x < 0.75:
		s["Action"] = "*"
	case x < 0.85:
		s["Action"] = []string{other, c.Action}
	default:
		s["NotAction"] = other
	}
	otherRes := "arn:aws:s3:::unrelated-bucket/*"
	switch x := g.r.Float64(); {
	case x < 0.35 || c.Resource == "*" && x < 0.85:
		s["Resource"] = "*"
	case c.Resource == "*":
		s["NotResource"] = otherRes
	case x < 0.6:
		s["Resource"] = c.Resource
	case x < 0.75:
		s["Resource"] = c.Resource[:len(c.Resource)-min(4, len(c.Resource)-len("arn:aws:"))] + "*"
	case x < 0.85:
		s["Resource"] = []string{otherRes, c.Resource + "-other"}
	default:
		s["NotResource"] = otherRes
	}
	if withPrincipal {
		g.addPrincipal(s, effect)
	}
	for n := g.r.IntN(3); n > 0 && g.chance(0.6); n-- {
		g.addCondition(s)
	}
	return s
}

func (g *gen) otherAction(svc string) string {
	s, ok := g.corpus.cat.Service(svc)
	if !ok {
		return "s3:GetObject"
	}
	return pick(g, s.Actions).String()
}

// addPrincipal names the caller in a resource-policy statement in one of the
// ways AWS allows, or names someone else.
func (g *gen) addPrincipal(s map[string]any, effect string) {
	c := g.c
	acct := accountOf(c.Principal)
	self, role := c.Principal, c.Principal
	if strings.Contains(self, ":assumed-role/") {
		parts := strings.Split(strings.SplitN(self, ":", 6)[5], "/")
		role = fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, parts[1])
		if g.chance(0.3) {
			self = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, parts[1], "other-session")
		}
	}
	forms := []any{
		map[string]any{"AWS": self},
		map[string]any{"AWS": role},
		map[string]any{"AWS": acct},
		map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"},
		map[string]any{"AWS": "arn:aws:iam::" + genOther + ":root"},
		map[string]any{"AWS": "arn:aws:iam::" + genAccount + ":user/bob"},
		map[string]any{"AWS": "*"},
		"*",
		map[string]any{"Service": "lambda.amazonaws.com"},
	}
	if effect == "Deny" && g.chance(0.3) {
		g.c.Features = append(g.c.Features, "notprincipal")
		np := []string{pick(g, []string{self, role, "arn:aws:iam::" + genAccount + ":user/bob"})}
		if g.chance(0.5) {
			np = append(np, "arn:aws:iam::"+accountOf(np[0])+":root")
		}
		s["NotPrincipal"] = map[string]any{"AWS": np}
		return
	}
	s["Principal"] = pick(g, forms)
}

// resourcePolicy writes a bucket policy, key policy or role trust policy.
func (g *gen) resourcePolicy(kind string) json.RawMessage {
	var stmts []map[string]any
	if kind == "kms" && g.chance(0.7) {
		stmts = append(stmts, map[string]any{"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::" + genAccount + ":root"}, "Action": "kms:*", "Resource": "*"})
	}
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		effect := "Allow"
		if g.chance(0.25) {
			effect = "Deny"
		}
		s := g.statement(effect, true)
		if kind == "trust" {
			delete(s, "Resource") // trust policies have no Resource element
			delete(s, "NotResource")
		}
		stmts = append(stmts, s)
	}
	return genDoc(stmts)
}
