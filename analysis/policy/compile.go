package policy

import (
	"fmt"
	"strings"
)

// Compiled is a policy prepared for evaluation: patterns split into tokens,
// condition values parsed, statements indexed by the service of their
// actions. It is immutable and safe for concurrent use.
type Compiled struct {
	Name   string  // how explanations name the policy
	Source *Policy // the parsed document
	// Warnings lists what AWS's policy validator would flag without
	// rejecting the policy, such as actions the catalog does not know.
	Warnings []string

	stmts []cstmt
	// byService lists, per lower-cased service prefix, the statements whose
	// Action names that service literally; anyService those that may match
	// any service (a wildcard service, or NotAction).
	byService  map[string][]int32
	anyService []int32
}

type cstmt struct {
	sid    string
	index  int
	effect Effect

	actions   []pattern // lower-cased "service:action" globs
	notAction bool

	resources    []arnPattern
	notResource  bool
	anyResource  bool
	resourceVars bool // some pattern holds a policy variable // no Resource element (trust policies): matches everything

	principal    *cprincipal
	notPrincipal bool

	conds []ccond
}

// Compile prepares p for evaluation under name. It fails, naming the
// statement and element, on values AWS would reject: an unknown condition
// operator, a malformed number, date or CIDR.
func Compile(name string, p *Policy) (*Compiled, error) {
	c := &Compiled{Name: name, Source: p, byService: make(map[string][]int32)}
	vars := p.Version != "2008-10-17" // policy variables exist from 2012-10-17 on
	for i := range p.Statements {
		cs, err := compileStatement(&p.Statements[i], i, vars)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.stmts = append(c.stmts, cs)
		c.index(int32(i), &cs)
	}
	c.Warnings = unknownActions(p)
	return c, nil
}

func compileStatement(s *Statement, i int, vars bool) (cstmt, error) {
	cs := cstmt{sid: s.Sid, index: i, effect: s.Effect}
	acts := s.Action
	if s.NotAction != nil {
		acts, cs.notAction = s.NotAction, true
	}
	for _, a := range acts {
		cs.actions = append(cs.actions, compilePattern(strings.ToLower(a), false, true))
	}
	res := s.Resource
	switch {
	case s.NotResource != nil:
		res, cs.notResource = s.NotResource, true
	case s.Resource == nil:
		cs.anyResource = true
	}
	for _, r := range res {
		a := compileARN(r, vars)
		cs.resources = append(cs.resources, a)
		cs.resourceVars = cs.resourceVars || a.whole.hasVar
	}
	cs.principal = compilePrincipal(s.Principal)
	if s.NotPrincipal != nil {
		cs.principal, cs.notPrincipal = compilePrincipal(s.NotPrincipal), true
	}
	for _, c := range s.Condition {
		cc, err := compileCondition(c, vars)
		if err != nil {
			return cstmt{}, fmt.Errorf("Statement[%d].Condition.%s: %w", i, c.Operator, err)
		}
		cs.conds = append(cs.conds, cc)
	}
	return cs, nil
}

// index files statement i under the services its actions name.
func (c *Compiled) index(i int32, cs *cstmt) {
	if cs.notAction {
		c.anyService = append(c.anyService, i)
		return
	}
	seen := make(map[string]bool)
	for _, a := range cs.actions {
		svc, _, ok := strings.Cut(a.text, ":")
		if !ok || strings.ContainsAny(svc, "*?") {
			c.anyService = append(c.anyService, i)
			return
		}
		seen[svc] = true
	}
	for svc := range seen {
		c.byService[svc] = append(c.byService[svc], i)
	}
}

// MustCompile compiles a literal policy; for tests and examples only.
func MustCompile(name, doc string) *Compiled {
	c, err := Compile(name, MustParse(doc))
	if err != nil {
		panic(err)
	}
	return c
}

// Renamed returns a copy of c named name that shares c's compiled
// statements: many graph nodes hold byte-identical documents (AWS managed
// policies, copied inline policies), which are compiled once but must be
// named after the node an explanation points to.
func (c *Compiled) Renamed(name string) *Compiled {
	cp := *c
	cp.Name = name
	return &cp
}
