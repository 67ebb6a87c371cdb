package graph

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "any/thing:at all", true},
		{"AWSReservedSSO_*", "AWSReservedSSO_Admin_0123", true},
		{"AWSReservedSSO_*", "awsreservedsso_admin", true},
		{"AWSReservedSSO_*", "MyAWSReservedSSO_x", false},
		{"*agent*", "SupportAgentRole", true},
		{"*agent*", "agent", true},
		{"*agent*", "agnet", false},
		{"/aws-service-role/*", "/aws-service-role/elasticloadbalancing.amazonaws.com/", true},
		{"/aws-service-role/*", "/service/", false},
		{"role-?", "role-1", true},
		{"role-?", "role-12", false},
		{"a*b*c", "a-x-b-y-c", true},
		{"a*b*c", "a-x-c-y-b", false},
		{"*:oidc-provider/token.actions.githubusercontent.com",
			"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", true},
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestClassifyDefaults(t *testing.T) {
	t.Parallel()
	role := func(name string) Facts { return Facts{Kind: KindRole, Name: name, Path: "/"} }
	tests := []struct {
		name      string
		facts     Facts
		wantClass Class
		wantRule  string
	}{
		{"sso role", Facts{Kind: KindRole, Name: "AWSReservedSSO_AdministratorAccess_1a2b",
			Path: "/aws-reserved/sso.amazonaws.com/", TrustFederated: []string{"arn:aws:iam::1:saml-provider/AWSSSO_x_DO_NOT_DELETE"}},
			ClassHuman, "sso-role"},
		{"console user", Facts{Kind: KindUser, Name: "alice", ConsolePassword: true}, ClassHuman, "console-user"},
		{"user with keys only", Facts{Kind: KindUser, Name: "svc-backup"}, ClassUnknown, ""},
		{"saml role", Facts{Kind: KindRole, Name: "Okta-Admins",
			TrustFederated: []string{"arn:aws:iam::1:saml-provider/Okta"}}, ClassHuman, "saml-role"},
		{"lambda role", Facts{Kind: KindRole, Name: "ingest", TrustServices: []string{"lambda.amazonaws.com"}},
			ClassWorkload, "workload lambda"},
		{"ecs task role", Facts{Kind: KindRole, Name: "api", TrustServices: []string{"ecs-tasks.amazonaws.com"}},
			ClassWorkload, "workload ecs-tasks"},
		{"bedrock agent beats lambda", Facts{Kind: KindRole, Name: "AmazonBedrockExecutionRoleForAgents_x",
			TrustServices: []string{"lambda.amazonaws.com", "bedrock.amazonaws.com"}}, ClassAIAgent, "bedrock"},
		{"agentcore", Facts{Kind: KindRole, Name: "runtime", TrustServices: []string{"bedrock-agentcore.amazonaws.com"}},
			ClassAIAgent, "bedrock-agentcore"},
		{"agent by name on lambda", Facts{Kind: KindRole, Name: "support-Agent-runner",
			TrustServices: []string{"lambda.amazonaws.com"}}, ClassAIAgent, "agent-name"},
		{"github actions", Facts{Kind: KindRole, Name: "deploy", TrustFederated: []string{
			"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}}, ClassCI,
			"ci-oidc token.actions.githubusercontent.com"},
		{"gitlab self-hosted", Facts{Kind: KindRole, Name: "deploy", TrustFederated: []string{
			"arn:aws:iam::123456789012:oidc-provider/gitlab.example.com"}}, ClassCI, "ci-oidc gitlab.*"},
		{"codebuild", Facts{Kind: KindRole, Name: "build", TrustServices: []string{"codebuild.amazonaws.com"}},
			ClassCI, "ci-codebuild"},
		{"vendor with external id", Facts{Kind: KindRole, Name: "datadog", TrustAWS: []string{"464622532012"},
			TrustsExternalAccount: true, ExternalIDCondition: true}, ClassThirdParty, "external-account"},
		{"in-org cross-account", Facts{Kind: KindRole, Name: "audit", TrustAWS: []string{"arn:aws:iam::2:root"}},
			ClassUnknown, ""},
		{"service-linked beats workload", Facts{Kind: KindRole, Name: "AWSServiceRoleForECS",
			Path: "/aws-service-role/ecs.amazonaws.com/", TrustServices: []string{"ecs.amazonaws.com"}},
			ClassServiceLinked, "service-linked-path"},
		{"tag wins", Facts{Kind: KindRole, Name: "ingest", TrustServices: []string{"lambda.amazonaws.com"},
			Tags: []Tag{{"PermGraph:Class", "ai-agent"}}}, ClassAIAgent, "tag-ai-agent"},
		{"plain role", role("nothing"), ClassUnknown, ""},
	}
	c, err := NewClassifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			class, rule := c.Classify(tt.facts)
			if class != tt.wantClass || rule != tt.wantRule {
				t.Errorf("Classify() = %s by %q, want %s by %q", class, rule, tt.wantClass, tt.wantRule)
			}
		})
	}
}

func TestLoadRulesBeforeDefaults(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rules.json")
	const file = `{"rules": [
		{"name": "ops-agents", "class": "ai-agent", "kind": "Role", "tag": {"key": "workload-type", "value": "llm-*"}},
		{"class": "human", "path_pattern": "/people/*"},
		{"name": "partner", "class": "third-party", "trust_principal": "arn:aws:iam::123456789012:*", "external_id": true}
	]}`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	user, err := LoadRules(path)
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []Rule{
		{Name: "ops-agents", Class: ClassAIAgent, Kind: KindRole, Tag: &Tag{"workload-type", "llm-*"}},
		{Class: ClassHuman, PathPattern: "/people/*"},
		{Name: "partner", Class: ClassThirdParty, TrustPrincipal: "arn:aws:iam::123456789012:*", ExternalID: true},
	}
	if diff := cmp.Diff(wantRules, user); diff != "" {
		t.Fatalf("LoadRules mismatch (-want +got):\n%s", diff)
	}
	c, err := NewClassifier(user)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		facts     Facts
		wantClass Class
		wantRule  string
	}{
		{"user tag rule beats lambda", Facts{Kind: KindRole, Name: "summarise", TrustServices: []string{"lambda.amazonaws.com"},
			Tags: []Tag{{"workload-type", "LLM-batch"}}}, ClassAIAgent, "ops-agents"},
		{"unnamed user rule", Facts{Kind: KindRole, Name: "x", Path: "/people/", TrustServices: []string{"ec2.amazonaws.com"}},
			ClassHuman, "user rule 1"},
		{"partner needs external id", Facts{Kind: KindRole, Name: "p", TrustAWS: []string{"arn:aws:iam::123456789012:root"},
			TrustsExternalAccount: true}, ClassThirdParty, "external-account"},
		{"partner with external id", Facts{Kind: KindRole, Name: "p", TrustAWS: []string{"arn:aws:iam::123456789012:root"},
			TrustsExternalAccount: true, ExternalIDCondition: true}, ClassThirdParty, "partner"},
		{"defaults still apply", Facts{Kind: KindRole, Name: "f", TrustServices: []string{"lambda.amazonaws.com"}},
			ClassWorkload, "workload lambda"},
	}
	for _, tt := range tests {
		class, rule := c.Classify(tt.facts)
		if class != tt.wantClass || rule != tt.wantRule {
			t.Errorf("%s: Classify() = %s by %q, want %s by %q", tt.name, class, rule, tt.wantClass, tt.wantRule)
		}
	}
}

func TestLoadRulesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		wantRule   bool // error wraps ErrInvalidRule
	}{
		{"unknown class", `{"rules":[{"class":"robot","name_pattern":"*"}]}`, true},
		{"no condition", `{"rules":[{"class":"human"}]}`, true},
		{"bad kind", `{"rules":[{"class":"human","kind":"Group","name_pattern":"*"}]}`, true},
		{"tag without key", `{"rules":[{"class":"human","tag":{"value":"x"}}]}`, true},
		{"misspelt field", `{"rules":[{"class":"human","name_patern":"*"}]}`, false},
		{"not json", `rules:`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "rules.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadRules(path)
			if err == nil {
				t.Fatal("LoadRules succeeded, want an error")
			}
			if errors.Is(err, ErrInvalidRule) != tt.wantRule {
				t.Errorf("LoadRules error = %v; wraps ErrInvalidRule: %v, want %v", err, !tt.wantRule, tt.wantRule)
			}
		})
	}
	if _, err := LoadRules(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadRules(missing) error = %v, want os.ErrNotExist", err)
	}
	if _, err := NewClassifier([]Rule{{Class: ClassCI}}); !errors.Is(err, ErrInvalidRule) {
		t.Errorf("NewClassifier(no condition) error = %v, want ErrInvalidRule", err)
	}
}
