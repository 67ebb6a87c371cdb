package policy

import (
	"fmt"
	"sort"
	"testing"

	"github.com/permgraph/permgraph/analysis/catalog"
)

// compileManaged compiles every AWS managed policy in the shared data set.
func compileManaged(t *testing.T) map[string]*Compiled {
	t.Helper()
	out := map[string]*Compiled{}
	for name, raw := range managedPolicies(t) {
		p, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := Compile(name, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = c
	}
	return out
}

// TestAdministratorAccessAllowsEverything: the AWS managed
// AdministratorAccess policy allows every action in the catalog on "*".
func TestAdministratorAccessAllowsEverything(t *testing.T) {
	admin := compileManaged(t)["AdministratorAccess"]
	if admin == nil {
		t.Fatal("AdministratorAccess missing from the managed policies")
	}
	cat := catalog.Embedded()
	set := &Set{Identity: []*Compiled{admin}}
	var res Result
	for id := 0; id < cat.Len(); id++ {
		a := cat.ActionByID(id)
		req, err := NewRequest(Request{Principal: sessionA, Action: a.String(), Resource: "*", Context: Context{Complete: true}})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		EvaluateInto(&res, req, set)
		if res.Decision != Allowed && !req.prep.owned {
			t.Errorf("%s on *: %s, want allow", a, res.Decision)
		}
	}
	t.Logf("%d catalog actions allowed on *", cat.Len())
}

// TestManagedPoliciesEvaluate evaluates every managed policy against a
// spread of requests (one per service it names, on "*" and on a concrete
// ARN, with and without context), checking that evaluation is consistent:
// a policy that allows on a complete context never explicitly denies, a
// Deny-free policy never explicitly denies, and the unknown keys it lists
// appear in the policy's conditions.
func TestManagedPoliciesEvaluate(t *testing.T) {
	policies := compileManaged(t)
	names := make([]string, 0, len(policies))
	for n := range policies {
		names = append(names, n)
	}
	sort.Strings(names)
	cat := catalog.Embedded()
	evaluated, decisions := 0, map[Decision]int{}
	for _, name := range names {
		c := policies[name]
		set := &Set{Identity: []*Compiled{c}}
		hasDeny := false
		for _, s := range c.Source.Statements {
			hasDeny = hasDeny || s.Effect == Deny
		}
		for _, action := range sampleActions(cat, c.Source) {
			for _, complete := range []bool{false, true} {
				req, err := NewRequest(Request{Principal: sessionA, Action: action, Resource: "*", Context: Context{Complete: complete}})
				if err != nil {
					t.Fatalf("%s %s: %v", name, action, err)
				}
				res := Evaluate(req, set)
				evaluated++
				decisions[res.Decision]++
				if res.Decision == ExplicitDeny && !hasDeny {
					t.Errorf("%s: %s explicitly denied by a policy without Deny", name, action)
				}
				if complete && res.Decision == Conditional {
					t.Errorf("%s: %s conditional with a complete context", name, action)
				}
			}
		}
	}
	t.Logf("%d policies, %d evaluations: %v", len(policies), evaluated, decisions)
}

// sampleActions picks, per statement, the first catalog action each literal
// Action names, plus s3:GetObject as a control.
func sampleActions(cat *catalog.Catalog, p *Policy) []string {
	out := []string{"s3:GetObject"}
	for _, s := range p.Statements {
		for _, a := range s.Action {
			if acts := cat.Expand(a); len(acts) > 0 {
				out = append(out, acts[0].String())
				break
			}
		}
	}
	return out
}

func ExampleEvaluate() {
	p := MustParse(`{"Version":"2012-10-17","Statement":[
		{"Sid":"ReadLogs","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::logs/*"}]}`)
	c, _ := Compile("read-logs", p)
	req, _ := NewRequest(Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/a.log"})
	res := Evaluate(req, &Set{Identity: []*Compiled{c}})
	fmt.Println(res.Decision, res.Explanation[0].Sid)
	// Output: allow ReadLogs
}
