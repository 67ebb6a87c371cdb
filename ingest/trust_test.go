package ingest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// trustGAAD is one account (111122223333) with a user, a role trusted by
// it, and one role per kind of trust, each with the given trust policy.
func trustGAAD(t *testing.T, roles map[string]string) *bundle.Bundle {
	t.Helper()
	var list []string
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		list = append(list, fmt.Sprintf(`{"RoleName":%q,"Path":"/","Arn":"arn:aws:iam::111122223333:role/%s","AssumeRolePolicyDocument":%s}`,
			name, name, roles[name]))
	}
	doc := `{"UserDetailList":[{"UserName":"u","Path":"/","Arn":"arn:aws:iam::111122223333:user/u"}],
		"RoleDetailList":[` + strings.Join(list, ",") + `]}`
	g, err := bundle.DecodeGAAD("gaad.json", strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return &bundle.Bundle{Accounts: map[string]*bundle.Account{"111122223333": {ID: "111122223333", AuthorizationDetails: g}}}
}

func trustDoc(principal string, condition string) string {
	if condition != "" {
		condition = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal +
		`,"Action":"sts:AssumeRole"` + condition + `},{"Effect":"Deny","Principal":{"AWS":"999999999999"},"Action":"sts:AssumeRole"}]}`
}

func TestTrusts(t *testing.T) {
	t.Parallel()
	roles := map[string]string{
		"lambda":   trustDoc(`{"Service":"lambda.amazonaws.com"}`, ""),
		"vendor":   trustDoc(`{"AWS":"arn:aws:iam::444455556666:root"}`, `{"StringEquals":{"sts:ExternalId":"x"}}`),
		"bare":     trustDoc(`{"AWS":"444455556666"}`, ""),
		"self":     trustDoc(`{"AWS":"arn:aws:iam::111122223333:root"}`, ""),
		"user":     trustDoc(`{"AWS":"arn:aws:iam::111122223333:user/u"}`, ""),
		"chain":    trustDoc(`{"AWS":"arn:aws:iam::111122223333:role/lambda"}`, ""),
		"gone":     trustDoc(`{"AWS":"arn:aws:iam::111122223333:role/deleted"}`, ""),
		"anyone":   trustDoc(`"*"`, ""),
		"uniqueid": trustDoc(`{"AWS":"AROAEXAMPLEID"}`, ""),
		"saml":     trustDoc(`{"Federated":"arn:aws:iam::111122223333:saml-provider/okta"}`, ""),
		"github":   trustDoc(`{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}`, ""),
		"cognito":  trustDoc(`{"Federated":"cognito-identity.amazonaws.com"}`, ""),
	}
	snap := build(t, trustGAAD(t, roles), Options{})
	nodes := map[string]graph.Node{}
	for _, n := range snap.Nodes {
		nodes[n.ID] = n
	}
	const role = "arn:aws:iam::111122223333:role/"
	type target struct {
		ID   string
		Kind graph.NodeKind
	}
	tests := []struct {
		role  string
		want  []target
		class graph.Class
	}{
		{"lambda", []target{{"service/lambda.amazonaws.com", graph.KindServicePrincipal}}, graph.ClassWorkload},
		{"vendor", []target{{"account/444455556666", graph.KindExternalPrincipal}}, graph.ClassThirdParty},
		{"bare", []target{{"account/444455556666", graph.KindExternalPrincipal}}, graph.ClassThirdParty},
		{"self", []target{{"account/111122223333", graph.KindAccount}}, graph.ClassUnknown},
		{"user", []target{{"arn:aws:iam::111122223333:user/u", graph.KindUser}}, graph.ClassUnknown},
		{"chain", []target{{role + "lambda", graph.KindRole}}, graph.ClassUnknown},
		{"gone", []target{{role + "deleted", graph.KindExternalPrincipal}}, graph.ClassUnknown},
		{"anyone", []target{{"aws/*", graph.KindExternalPrincipal}}, graph.ClassThirdParty},
		{"uniqueid", []target{{"aws/AROAEXAMPLEID", graph.KindExternalPrincipal}}, graph.ClassUnknown},
		{"saml", []target{{"arn:aws:iam::111122223333:saml-provider/okta", graph.KindExternalPrincipal}}, graph.ClassHuman},
		{"github", []target{{"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", graph.KindExternalPrincipal}}, graph.ClassCI},
		{"cognito", []target{{"federated/cognito-identity.amazonaws.com", graph.KindExternalPrincipal}}, graph.ClassUnknown},
	}
	for _, tt := range tests {
		var got []target
		for _, e := range snap.Edges {
			if e.Kind == graph.EdgeTrusts && e.From == role+tt.role {
				got = append(got, target{e.To, nodes[e.To].Kind})
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Trusts targets (-want +got):\n%s", tt.role, diff)
		}
		if c := nodes[role+tt.role].Class; c != tt.class {
			t.Errorf("%s: class %q, want %q", tt.role, c, tt.class)
		}
	}
}

// TestExternalIDRule checks that the ExternalId condition reaches the
// classifier: a user rule on it wins over the built-in rules.
func TestExternalIDRule(t *testing.T) {
	t.Parallel()
	b := trustGAAD(t, map[string]string{
		"vendor": trustDoc(`{"AWS":"444455556666"}`, `{"StringEquals":{"sts:ExternalId":"x"}}`),
		"other":  trustDoc(`{"AWS":"444455556666"}`, ""),
	})
	rules := []graph.Rule{{Name: "vendor-with-external-id", Class: graph.ClassAIAgent, ExternalID: true}}
	snap := build(t, b, Options{Rules: rules})
	got := map[string]graph.Class{}
	for _, n := range snap.Nodes {
		if n.Kind == graph.KindRole {
			got[n.Name] = n.Class
		}
	}
	want := map[string]graph.Class{"vendor": graph.ClassAIAgent, "other": graph.ClassThirdParty}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	if _, err := Build(b, Options{Rules: []graph.Rule{{Class: "robot", NamePattern: "*"}}}); err == nil {
		t.Error("Build with an invalid rule: no error")
	}
}

func TestResourceType(t *testing.T) {
	t.Parallel()
	tests := []struct{ arn, want string }{
		{"arn:aws:s3:::bucket", "s3:bucket"},
		{"arn:aws:s3:::bucket/key/x", "s3:object"},
		{"arn:aws:sqs:eu-west-1:111122223333:jobs", "sqs:queue"},
		{"arn:aws:sns:eu-west-1:111122223333:alerts", "sns:topic"},
		{"arn:aws:kms:eu-west-1:111122223333:key/1234", "kms:key"},
		{"arn:aws:lambda:eu-west-1:111122223333:function:f", "lambda:function"},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCd", "secretsmanager:secret"},
		{"arn:aws:dynamodb:eu-west-1:111122223333:table/t", "dynamodb:table"},
		{"not an arn", ""},
	}
	for _, tt := range tests {
		if got := resourceType(tt.arn); got != tt.want {
			t.Errorf("resourceType(%q) = %q, want %q", tt.arn, got, tt.want)
		}
	}
}
