package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/permgraph/permgraph/internal/testutil"
)

// vector is one case of iam-simulate's core-engine test suite (AGPL; read
// from ../shared/data at test time, never copied into this repository).
type vector struct {
	Name    string `json:"name"`
	Request struct {
		Action   string `json:"action"`
		Resource struct {
			Resource  string `json:"resource"`
			AccountID string `json:"accountId"`
		} `json:"resource"`
		Principal json.RawMessage            `json:"principal"`
		Context   map[string]json.RawMessage `json:"context"`
	} `json:"request"`
	Identity   []json.RawMessage `json:"identityPolicies"`
	SCPs       []vectorOrgLevel  `json:"serviceControlPolicies"`
	RCPs       []vectorOrgLevel  `json:"resourceControlPolicies"`
	Resource   json.RawMessage   `json:"resourcePolicy"`
	Resources  []json.RawMessage `json:"resourcePolicies"`
	Boundaries []json.RawMessage `json:"permissionBoundaries"`
	Session    json.RawMessage   `json:"sessionPolicy"`
	Endpoints  []json.RawMessage `json:"endpointPolicies"`
	Simulation *struct {
		Mode string `json:"mode"`
	} `json:"simulation"`
	Expected struct {
		Response string `json:"response"`
	} `json:"expected"`
}

type vectorOrgLevel struct {
	Policies []json.RawMessage `json:"policies"`
}

// toEngine converts a vector into our request and set.
func (v *vector) toEngine() (*Request, *Set, error) {
	var principal string
	if len(v.Request.Principal) > 0 && v.Request.Principal[0] == '"' {
		if err := json.Unmarshal(v.Request.Principal, &principal); err != nil {
			return nil, nil, err
		}
	}
	ctx := Context{Complete: v.Simulation == nil || v.Simulation.Mode != "Discovery"}
	for k, raw := range v.Request.Context {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			ctx.Set(k, one)
			continue
		}
		var many []string
		if err := json.Unmarshal(raw, &many); err != nil {
			return nil, nil, fmt.Errorf("context %s: %w", k, err)
		}
		ctx.Set(k, many...)
	}
	req, err := NewRequest(Request{Principal: principal, Action: v.Request.Action,
		Resource: v.Request.Resource.Resource, ResourceAccount: v.Request.Resource.AccountID, Context: ctx})
	if err != nil {
		return nil, nil, err
	}
	set := &Set{}
	if set.Identity, err = compileAll("identity", v.Identity); err != nil {
		return nil, nil, err
	}
	if len(v.Boundaries) > 0 { // [] means no boundary, as in the peer
		if set.Boundary, err = compileAll("boundary", v.Boundaries); err != nil {
			return nil, nil, err
		}
	}
	if len(v.Session) > 0 && string(v.Session) != "null" {
		if set.Session, err = compileAll("session", []json.RawMessage{v.Session}); err != nil {
			return nil, nil, err
		}
	}
	resources := v.Resources
	if len(v.Resource) > 0 && string(v.Resource) != "null" {
		resources = append(resources, v.Resource)
	}
	if len(resources) > 0 {
		// Several resource policies (bucket and object, say) act as one layer.
		ps, err := compileAll("resource", resources)
		if err != nil {
			return nil, nil, err
		}
		merged := &Policy{Version: "2012-10-17"}
		for _, p := range ps {
			merged.Statements = append(merged.Statements, p.Source.Statements...)
		}
		if set.Resource, err = Compile("resource", merged); err != nil {
			return nil, nil, err
		}
	}
	if v.Endpoints != nil {
		if set.Endpoint, err = compileAll("endpoint", v.Endpoints); err != nil {
			return nil, nil, err
		}
	}
	if set.SCPs, err = compileLevels("scp", v.SCPs); err != nil {
		return nil, nil, err
	}
	if set.RCPs, err = compileLevels("rcp", v.RCPs); err != nil {
		return nil, nil, err
	}
	return req, set, nil
}

func compileAll(prefix string, docs []json.RawMessage) ([]*Compiled, error) {
	out := []*Compiled{}
	for i, d := range docs {
		p, err := parseVectorDoc(d)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", prefix, i, err)
		}
		c, err := Compile(fmt.Sprintf("%s-%d", prefix, i), p)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func compileLevels(prefix string, levels []vectorOrgLevel) ([][]*Compiled, error) {
	if len(levels) == 0 {
		return nil, nil // [] means no Organizations
	}
	var out [][]*Compiled
	for i, l := range levels {
		ps, err := compileAll(fmt.Sprintf("%s%d", prefix, i), l.Policies)
		if err != nil {
			return nil, err
		}
		out = append(out, ps)
	}
	return out, nil
}

// parseVectorDoc parses a peer policy. The peer accepts two shapes outside
// AWS's policy grammar (reference_policies_grammar.html), which our parser
// rejects: a Principal given as a bare ARN string, and an empty Statement
// list. They are rewritten to what they mean before parsing.
func parseVectorDoc(raw json.RawMessage) (*Policy, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return Parse(raw)
	}
	stmts, isList := m["Statement"].([]any)
	if isList && len(stmts) == 0 {
		return &Policy{Version: "2012-10-17"}, nil
	}
	for _, st := range stmts {
		sm, ok := st.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"Principal", "NotPrincipal"} {
			if s, ok := sm[k].(string); ok && s != "*" {
				sm[k] = map[string]any{"AWS": s}
			}
		}
	}
	fixed, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return Parse(fixed)
}

// agrees maps iam-simulate's answer onto ours. In Discovery mode the peer
// says "Allowed" with conditions where we say conditional.
func agrees(expected string, discovery bool, got Decision) bool {
	switch expected {
	case "Allowed":
		return got == Allowed || discovery && got == Conditional
	case "ExplicitlyDenied":
		return got == ExplicitDeny || discovery && got == Conditional
	case "ImplicitlyDenied":
		return got == ImplicitDeny
	}
	return false
}

const (
	// iam-simulate's Discovery mode is its own query model (deny conditions on
	// supplied keys "escaped", tag keys declared strict, values of present
	// keys ignored). We evaluate the supplied context as AWS would, with
	// unsupplied keys unknown ("Policy evaluation logic"; "Condition element").
	whyDiscovery = "peer Discovery-mode modelling"
	// A session ARN in a Principal element names exactly that session; the
	// caller chooses the session name, which graph analyses treat as a
	// condition, but one request has one name ("AWS JSON policy elements:
	// Principal", role session principals).
	whySessionName = "peer ignores the role session name"
	// AWS authorizes concrete resources; "*" is a request resource only for
	// actions without resource-level permissions, and a statement naming a
	// specific ARN does not match it ("IAM JSON policy elements: Resource").
	whyRequestPattern = "peer treats a request resource as a pattern"
	// "Session policies": when a resource-based policy names the session ARN,
	// its permissions are added after the session is created and are not
	// limited by the session policy.
	whySessionARN = "session policy does not limit grants to the session ARN"
)

// knownDifferences are vectors where we follow AWS's documentation and the
// peer does not; docs/CONFORMANCE.md explains each reason.
var knownDifferences = map[string]string{
	"discoveryMode/allowedConditions/matrix.json: SCP conditions combine OU allows with escaped deny":                                                                whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: RCP deny escapes from multiple org levels are ANDed":                                                               whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: Deny with multiple condition keys becomes OR of inverted leaves in final conditions":                               whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: ForAllValues deny inversion is represented in end-to-end conditions":                                               whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: ForAllValues IfExists deny inversion is represented in end-to-end conditions":                                      whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: ForAnyValue deny inversion is represented in end-to-end conditions":                                                whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: Multiple identity allows are ORed before deny escapes are ANDed":                                                   whyDiscovery,
	"discoveryMode/allowedConditions/matrix.json: Permission boundary explicit deny escape is ANDed with identity allow conditions":                                  whyDiscovery,
	"discoveryMode/contextKeyConstraints/sourceContext.json: Allow condition with known presence and unknown value is ignored":                                       whyDiscovery,
	"discoveryMode/contextKeyConstraints/sourceContext.json: Service principal resource allow reports matching SourceAccount and different SourceArn unknown values": whyDiscovery,
	"discoveryMode/contextKeyConstraints/sourceContext.json: Deny condition with known presence and unknown value is ignored when placeholder matches":               whyDiscovery,
	"discoveryMode/ignoredConditions/rcp.json: Allowed when RCP has ignored Deny Condition":                                                                          whyDiscovery,
	"discoveryMode/ignoredConditions/scp.json: Allowed when SCP has ignored Deny Condition":                                                                          whyDiscovery,
	"discoveryMode/ignoredConditions/strictPatterns.json: All Principal Tags are Strict":                                                                             whyDiscovery,
	"discoveryMode/roleVsSession.json: Allow Differently Named Session When Resource Policy Allows for Session":                                                      whySessionName,
	"discoveryMode/roleVsSession.json: Allow Differently Named Session To Pierce Permission Boundary Implicit Deny":                                                  whySessionName,
	"discoveryMode/roleVsSession.json: Allow when Deny Has a Session and Request Role Matches in Discovery Mode":                                                     whySessionName,
	"resourceWildcards/crossPatternIntersections.json: Cross-account Allow Resource wildcard intersection: AWSLogs prefix overlaps bucket wildcard":                  whyRequestPattern,
	"resourceWildcards/crossPatternIntersections.json: Cross-account Allow Resource wildcard intersection: nested AWSLogs prefix overlaps bucket wildcard":           whyRequestPattern,
	"resourceWildcards/crossPatternIntersections.json: Cross-account Allow Resource wildcard intersection: object extension pattern overlaps bucket wildcard":        whyRequestPattern,
	"resourceWildcards/crossPatternIntersections.json: Cross-account Allow Resource wildcard intersection: generated prefix overlaps bucket wildcard":                whyRequestPattern,
	"resourceWildcards/requestWildcards.json: Allow/Resource: specific resource matches request wildcard '*'":                                                        whyRequestPattern,
	"resourceWildcards/requestWildcards.json: Allow/Resource: wildcard resource matches request wildcard '*'":                                                        whyRequestPattern,
	"resourceWildcards/requestWildcards.json: Deny/NotResource: specific resource matches request wildcard '*'":                                                      whyRequestPattern,
	"resourceWildcards/requestWildcards.json: EC2 specific resource matches request wildcard '*'":                                                                    whyRequestPattern,
	"resourceWildcards/requestWildcards.json: Multiple resources with one matching request wildcard '*'":                                                             whyRequestPattern,
	"resourceWildcards/requestWildcards.json: Cross-service policies with request wildcard '*'":                                                                      whyRequestPattern,
	"s3/abac.json: Deny when ABAC keys are not present but are strict":                                                                                               whyDiscovery,
	"sessionPolicies.json: Implicit deny in session policy denies even if session ARN in resource policy":                                                            whySessionARN,
}

func loadVectors(t *testing.T) map[string][]vector {
	dir := testutil.SharedData(t, "policy-eval-vectors/iam-simulate/coreEngineTests")
	out := map[string][]vector{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var vs []vector
		if err := json.Unmarshal(data, &vs); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = vs
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIAMSimulateVectors(t *testing.T) {
	files := loadVectors(t)
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	total, agreed, known := 0, 0, 0
	for _, f := range names {
		for _, v := range files[f] {
			total++
			id := f + ": " + v.Name
			req, set, err := v.toEngine()
			if err != nil {
				t.Errorf("%s: %v", id, err)
				continue
			}
			got := Evaluate(req, set)
			discovery := v.Simulation != nil && v.Simulation.Mode == "Discovery"
			ok := agrees(v.Expected.Response, discovery, got.Decision)
			why, isKnown := knownDifferences[id]
			switch {
			case ok && isKnown:
				t.Errorf("%s: listed as a known difference (%s) but now agrees: remove it", id, why)
			case ok:
				agreed++
			case isKnown:
				known++
			default:
				t.Errorf("%s: want %s, got %s (missing %v)\n%+v", id, v.Expected.Response, got.Decision, got.MissingContext, got.Explanation)
			}
		}
	}
	t.Logf("%d vectors: %d agree, %d known differences", total, agreed, known)
}
