package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Class says what kind of actor an identity is.
type Class string

// Identity classes (DESIGN.md §1).
const (
	ClassHuman         Class = "human"
	ClassWorkload      Class = "workload"
	ClassAIAgent       Class = "ai-agent"
	ClassCI            Class = "ci"
	ClassThirdParty    Class = "third-party"
	ClassServiceLinked Class = "service-linked"
	ClassUnknown       Class = "unknown"
)

// Classes lists every class, in a stable order.
var Classes = []Class{
	ClassHuman, ClassWorkload, ClassAIAgent, ClassCI,
	ClassThirdParty, ClassServiceLinked, ClassUnknown,
}

// ErrInvalidRule is returned (wrapped, naming the rule) for a classification
// rule with an unknown class or without any condition.
var ErrInvalidRule = errors.New("graph: invalid classification rule")

// Facts is what the [Classifier] knows about one identity. The caller fills it
// from the snapshot, so that classification needs no policy engine.
type Facts struct {
	Kind            NodeKind // KindUser or KindRole
	Name, Path      string
	Tags            []Tag
	ConsolePassword bool // a user with a console password

	// Principals named in Allow statements of a role's trust policy, by type:
	// "lambda.amazonaws.com"; "arn:aws:iam::111122223333:oidc-provider/…";
	// "arn:aws:iam::444455556666:root" or "444455556666".
	TrustServices  []string
	TrustFederated []string
	TrustAWS       []string
	// TrustsExternalAccount is true when an AWS principal in the trust policy
	// belongs to an account outside the ingested organization.
	TrustsExternalAccount bool
	// ExternalIDCondition is true when the trust policy requires sts:ExternalId.
	ExternalIDCondition bool
}

// Rule assigns Class to identities matching every condition it sets; unset
// conditions are ignored, and a rule must set at least one. Patterns are
// case-insensitive globs where "*" matches any run of characters (slashes
// included) and "?" any one character.
type Rule struct {
	Name  string `json:"name,omitempty"` // reported as the evidence for a class
	Class Class  `json:"class"`
	// Kind limits the rule to users or to roles.
	Kind NodeKind `json:"kind,omitempty"`
	// TrustPrincipal matches any service, federated or AWS trusted principal.
	TrustPrincipal string `json:"trust_principal,omitempty"`
	NamePattern    string `json:"name_pattern,omitempty"`
	PathPattern    string `json:"path_pattern,omitempty"`
	// Tag matches a tag whose key equals Tag.Key (case-insensitively) and whose
	// value matches the glob Tag.Value ("" matches any value).
	Tag *Tag `json:"tag,omitempty"`
	// ConsolePassword requires a user with a console password.
	ConsolePassword bool `json:"console_password,omitempty"`
	// ExternalAccount requires trust to an account outside the organization.
	ExternalAccount bool `json:"external_account,omitempty"`
	// ExternalID requires an sts:ExternalId condition on the trust.
	ExternalID bool `json:"external_id,omitempty"`
}

// DefaultRules returns the built-in rules, in the order they are tried:
//
//  1. an explicit tag permgraph:class=<class> wins;
//  2. service-linked: path /aws-service-role/ (before anything that looks at
//     trust, since these roles trust services);
//  3. human: IAM Identity Center roles (AWSReservedSSO_*);
//  4. ai-agent: trusted by bedrock or bedrock-agentcore, then a name
//     containing "agent" (before workload: agents often trust lambda too);
//  5. ci: OIDC from GitHub Actions, GitLab, CircleCI, Terraform Cloud,
//     Bitbucket, or trusted by CodeBuild;
//  6. workload: trusted by a compute service principal;
//  7. third-party: trusted by an account outside the organization;
//  8. human: users with a console password, roles federated through SAML.
//
// Anything else is [ClassUnknown].
func DefaultRules() []Rule {
	rules := make([]Rule, 0, 32)
	for _, c := range Classes {
		if c != ClassUnknown {
			rules = append(rules, Rule{Name: "tag-" + string(c), Class: c,
				Tag: &Tag{Key: "permgraph:class", Value: string(c)}})
		}
	}
	rules = append(rules,
		Rule{Name: "service-linked-path", Class: ClassServiceLinked, Kind: KindRole, PathPattern: "/aws-service-role/*"},
		Rule{Name: "sso-role", Class: ClassHuman, Kind: KindRole, NamePattern: "AWSReservedSSO_*"},
		Rule{Name: "bedrock", Class: ClassAIAgent, TrustPrincipal: "bedrock.amazonaws.com"},
		Rule{Name: "bedrock-agentcore", Class: ClassAIAgent, TrustPrincipal: "bedrock-agentcore.amazonaws.com"},
		Rule{Name: "agent-name", Class: ClassAIAgent, NamePattern: "*agent*"},
	)
	for _, idp := range []string{"token.actions.githubusercontent.com", "gitlab.com", "gitlab.*",
		"oidc.circleci.com/*", "app.terraform.io", "api.bitbucket.org/*"} {
		rules = append(rules, Rule{Name: "ci-oidc " + idp, Class: ClassCI, TrustPrincipal: "*:oidc-provider/" + idp})
	}
	rules = append(rules, Rule{Name: "ci-codebuild", Class: ClassCI, TrustPrincipal: "codebuild.amazonaws.com"})
	for _, svc := range []string{"lambda", "ec2", "ecs-tasks", "ecs", "eks", "pods.eks", "batch", "states",
		"glue", "sagemaker", "apprunner", "elasticmapreduce", "scheduler", "events", "edgelambda"} {
		rules = append(rules, Rule{Name: "workload " + svc, Class: ClassWorkload, TrustPrincipal: svc + ".amazonaws.com"})
	}
	return append(rules,
		Rule{Name: "external-account", Class: ClassThirdParty, Kind: KindRole, ExternalAccount: true},
		Rule{Name: "console-user", Class: ClassHuman, Kind: KindUser, ConsolePassword: true},
		Rule{Name: "saml-role", Class: ClassHuman, Kind: KindRole, TrustPrincipal: "*:saml-provider/*"},
	)
}

// Classifier assigns classes by trying rules in order; the first match wins.
// It is safe for concurrent use.
type Classifier struct {
	rules []Rule
}

// NewClassifier returns a classifier that tries the user's rules first, then
// [DefaultRules].
func NewClassifier(user []Rule) (*Classifier, error) {
	for i, r := range user {
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("rules[%d] %q: %w", i, r.Name, err)
		}
	}
	rules := slices.Concat(user, DefaultRules())
	for i := range rules[:len(user)] {
		if rules[i].Name == "" {
			rules[i].Name = fmt.Sprintf("user rule %d", i)
		}
	}
	return &Classifier{rules: rules}, nil
}

// Classify returns the class of the identity and the name of the rule that
// decided it, or [ClassUnknown] and "" when no rule matches.
func (c *Classifier) Classify(f Facts) (Class, string) {
	for i := range c.rules {
		if c.rules[i].matches(&f) {
			return c.rules[i].Class, c.rules[i].Name
		}
	}
	return ClassUnknown, ""
}

// rulesFile is the shape of a rules file: {"rules": [{…}, …]}.
type rulesFile struct {
	Rules []Rule `json:"rules"`
}

// LoadRules reads user rules from a JSON file of the form {"rules": [...]}.
// Unknown fields are errors, so that a misspelt condition is not ignored.
func LoadRules(path string) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("graph: load rules: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f rulesFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("graph: load rules %s: %w", path, err)
	}
	for i, r := range f.Rules {
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("%s: rules[%d] %q: %w", path, i, r.Name, err)
		}
	}
	return f.Rules, nil
}

func (r *Rule) validate() error {
	switch {
	case !slices.Contains(Classes, r.Class):
		return fmt.Errorf("%w: unknown class %q", ErrInvalidRule, r.Class)
	case r.Kind != "" && r.Kind != KindUser && r.Kind != KindRole:
		return fmt.Errorf("%w: kind %q is neither User nor Role", ErrInvalidRule, r.Kind)
	case r.Tag != nil && r.Tag.Key == "":
		return fmt.Errorf("%w: tag without key", ErrInvalidRule)
	case r.TrustPrincipal == "" && r.NamePattern == "" && r.PathPattern == "" && r.Tag == nil &&
		!r.ConsolePassword && !r.ExternalAccount && !r.ExternalID:
		return fmt.Errorf("%w: no condition", ErrInvalidRule)
	}
	return nil
}

func (r *Rule) matches(f *Facts) bool {
	switch {
	case r.Kind != "" && r.Kind != f.Kind,
		r.ConsolePassword && !f.ConsolePassword,
		r.ExternalAccount && !f.TrustsExternalAccount,
		r.ExternalID && !f.ExternalIDCondition,
		r.NamePattern != "" && !Glob(r.NamePattern, f.Name),
		r.PathPattern != "" && !Glob(r.PathPattern, f.Path):
		return false
	}
	if r.TrustPrincipal != "" && !r.trustMatches(f) {
		return false
	}
	return r.Tag == nil || slices.ContainsFunc(f.Tags, func(t Tag) bool {
		return strings.EqualFold(t.Key, r.Tag.Key) && (r.Tag.Value == "" || Glob(r.Tag.Value, t.Value))
	})
}

func (r *Rule) trustMatches(f *Facts) bool {
	match := func(p string) bool { return Glob(r.TrustPrincipal, p) }
	return slices.ContainsFunc(f.TrustServices, match) ||
		slices.ContainsFunc(f.TrustFederated, match) ||
		slices.ContainsFunc(f.TrustAWS, match)
}

// Glob reports whether s matches pattern case-insensitively, where "*"
// matches any run of characters (including "/" and none) and "?" matches
// exactly one character.
func Glob(pattern, s string) bool {
	p, t := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(s))
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
