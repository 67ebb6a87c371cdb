package policy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Documentation pages each rule encodes (IAM User Guide unless noted).
const (
	docLogic        = "reference_policies_evaluation-logic.html"
	docCrossAccount = "reference_policies_evaluation-logic-cross-account.html"
	docBoundaries   = "access_policies_boundaries.html"
	docSession      = "access_policies.html#policies_session"
	docSCP          = "Organizations User Guide: orgs_manage_policies_scps_evaluation.html"
	docRCP          = "Organizations User Guide: orgs_manage_policies_rcps.html"
	docTrust        = "id_roles_terms-and-concepts.html (trust policy) and reference_policies_evaluation-logic.html"
	docKMS          = "KMS Developer Guide: key-policies.html (key policy is required)"
	docConditions   = "reference_policies_elements_condition_operators.html"
	docMultiValued  = "reference_policies_condition-single-vs-multi-valued-context-keys.html"
	docVariables    = "reference_policies_variables.html"
	docNotAction    = "reference_policies_elements_notaction.html / _notresource.html"
	docPrincipal    = "reference_policies_elements_principal.html"
	docCaller       = "STS API Reference: API_GetCallerIdentity.html"
)

const (
	acctA    = "111122223333"
	acctB    = "444455556666"
	userA    = "arn:aws:iam::111122223333:user/alice"
	sessionA = "arn:aws:sts::111122223333:assumed-role/agent/s1"
	roleA    = "arn:aws:iam::111122223333:role/agent"
	userB    = "arn:aws:iam::444455556666:user/bob"
	bucketA  = "arn:aws:s3:::bucket-a"
)

func doc(stmts string) string { return `{"Version":"2012-10-17","Statement":[` + stmts + `]}` }

func allowAll() *Compiled {
	return MustCompile("allow-all", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
}

func stmt(effect, action, resource string) string {
	return fmt.Sprintf(`{"Effect":%q,"Action":%q,"Resource":%q}`, effect, action, resource)
}

func pol(name, stmts string) *Compiled { return MustCompile(name, doc(stmts)) }

type evalCase struct {
	name, doc string
	req       Request
	set       Set
	want      Decision
	missing   []string
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := NewRequest(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			got := Evaluate(req, &tc.set)
			if got.Decision != tc.want {
				t.Errorf("%s: decision = %s, want %s\nexplanation: %+v", tc.doc, got.Decision, tc.want, got.Explanation)
			}
			if tc.missing != nil || got.Decision == Conditional {
				if diff := cmp.Diff(tc.missing, got.MissingContext); diff != "" {
					t.Errorf("%s: missing context (-want +got):\n%s", tc.doc, diff)
				}
			}
		})
	}
}

func s3Get(principal, resource string) Request {
	return Request{Principal: principal, Action: "s3:GetObject", Resource: resource, Context: Context{Complete: true}}
}

func TestEvaluateLayers(t *testing.T) {
	t.Parallel()
	obj := bucketA + "/k"
	denyGet := pol("deny-get", stmt("Deny", "s3:GetObject", "*"))
	getOnly := pol("get-only", stmt("Allow", "s3:Get*", "*"))
	listOnly := pol("list-only", stmt("Allow", "s3:List*", "*"))
	runCases(t, []evalCase{
		{"no policies: implicit deny", docLogic, s3Get(userA, obj), Set{}, ImplicitDeny, nil},
		{"identity allow", docLogic, s3Get(userA, obj), Set{Identity: []*Compiled{getOnly}}, Allowed, nil},
		{"action matches case-insensitively", docLogic, Request{Principal: userA, Action: "S3:getobject", Resource: obj},
			Set{Identity: []*Compiled{getOnly}}, Allowed, nil},
		{"explicit deny beats allow", docLogic, s3Get(userA, obj), Set{Identity: []*Compiled{allowAll(), denyGet}}, ExplicitDeny, nil},
		{"boundary without allow: implicit deny", docBoundaries, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, Boundary: []*Compiled{listOnly}}, ImplicitDeny, nil},
		{"boundary allows", docBoundaries, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, Boundary: []*Compiled{getOnly}}, Allowed, nil},
		{"boundary alone grants nothing", docBoundaries, s3Get(userA, obj), Set{Boundary: []*Compiled{allowAll()}}, ImplicitDeny, nil},
		{"deny in boundary", docBoundaries, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, Boundary: []*Compiled{allowAll(), denyGet}}, ExplicitDeny, nil},
		{"session policy limits", docSession, s3Get(sessionA, obj),
			Set{Identity: []*Compiled{allowAll()}, Session: []*Compiled{listOnly}}, ImplicitDeny, nil},
		{"session policy allows", docSession, s3Get(sessionA, obj),
			Set{Identity: []*Compiled{allowAll()}, Session: []*Compiled{getOnly}}, Allowed, nil},
		{"NotAction allow excludes", docNotAction, Request{Principal: userA, Action: "iam:CreateUser", Resource: "*"},
			Set{Identity: []*Compiled{pol("poweruser", `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`)}}, ImplicitDeny, nil},
		{"NotAction allow includes", docNotAction, s3Get(userA, obj),
			Set{Identity: []*Compiled{pol("poweruser", `{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}`)}}, Allowed, nil},
		{"NotResource deny spares the listed resource", docNotAction, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll(), pol("nr", `{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::bucket-a/*"}`)}}, Allowed, nil},
		{"resource ARN segments", docLogic, s3Get(userA, "arn:aws:s3:::bucket-b/k"),
			Set{Identity: []*Compiled{pol("a-only", stmt("Allow", "s3:*", "arn:aws:s3:::bucket-a/*"))}}, ImplicitDeny, nil},
		{"GetCallerIdentity needs no permission, even under deny", docCaller,
			Request{Principal: sessionA, Action: "sts:GetCallerIdentity", Resource: "*"},
			Set{Identity: []*Compiled{pol("deny-all", stmt("Deny", "*", "*"))}}, Allowed, nil},
		{"AWS managed policies cannot be changed", docLogic,
			Request{Principal: userA, Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::aws:policy/AdministratorAccess"},
			Set{Identity: []*Compiled{allowAll()}}, ImplicitDeny, nil},
	})
}

func TestEvaluateOrganizations(t *testing.T) {
	t.Parallel()
	obj := bucketA + "/k"
	full := pol("FullAWSAccess", stmt("Allow", "*", "*"))
	noS3 := pol("deny-s3", stmt("Deny", "s3:*", "*"))
	ec2Only := pol("ec2-only", stmt("Allow", "ec2:*", "*"))
	rcpDeny := pol("rcp-deny", `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*",
		"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`)
	mgmt := s3Get(userA, obj)
	mgmt.ManagementAccount = acctA
	slr := s3Get("arn:aws:iam::111122223333:role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps", obj)
	cloudtrail := Request{Principal: "cloudtrail.amazonaws.com", Action: "s3:PutObject", Resource: obj, Context: Context{Complete: true}}
	trailBucket := pol("bucket", `{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket-a/*"}`)
	orgCtx := s3Get(userA, obj)
	orgCtx.Context.Set("aws:PrincipalOrgID", "o-1")
	runCases(t, []evalCase{
		{"every SCP level allows", docSCP, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, SCPs: [][]*Compiled{{full}, {full}, {full}}}, Allowed, nil},
		{"one SCP level lacks an allow", docSCP, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, SCPs: [][]*Compiled{{full}, {ec2Only}, {full}}}, ImplicitDeny, nil},
		{"an empty SCP level allows nothing", docSCP, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, SCPs: [][]*Compiled{{full}, {}}}, ImplicitDeny, nil},
		{"SCP deny at an OU", docSCP, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, SCPs: [][]*Compiled{{full}, {full, noS3}}}, ExplicitDeny, nil},
		{"SCPs grant nothing by themselves", docSCP, s3Get(userA, obj),
			Set{SCPs: [][]*Compiled{{full}}}, ImplicitDeny, nil},
		{"management account is exempt from SCPs", docSCP, mgmt,
			Set{Identity: []*Compiled{allowAll()}, SCPs: [][]*Compiled{{noS3}}}, Allowed, nil},
		{"service-linked roles are exempt from SCPs", docSCP, slr,
			Set{Identity: []*Compiled{allowAll()}, SCPs: [][]*Compiled{{noS3}}}, Allowed, nil},
		{"SCPs do not apply to service principals", docSCP, cloudtrail,
			Set{Resource: trailBucket, SCPs: [][]*Compiled{{noS3}}}, Allowed, nil},
		{"RCP deny applies outside the org", docRCP, s3Get(userA, obj),
			Set{Identity: []*Compiled{allowAll()}, RCPs: [][]*Compiled{{rcpDeny}}}, ExplicitDeny, nil},
		{"RCP deny spares the org", docRCP, orgCtx,
			Set{Identity: []*Compiled{allowAll()}, RCPs: [][]*Compiled{{rcpDeny}}}, Allowed, nil},
		{"RCPs do not apply to services they do not support", docRCP,
			Request{Principal: userA, Action: "ec2:RunInstances", Resource: "*", Context: Context{Complete: true}},
			Set{Identity: []*Compiled{allowAll()}, RCPs: [][]*Compiled{{pol("rcp-all", `{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`)}}}, Allowed, nil},
	})
}

func TestEvaluateResourcePolicies(t *testing.T) {
	t.Parallel()
	obj := bucketA + "/k"
	grant := func(principal string) *Compiled {
		return pol("bucket", fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-a/*"}`, principal))
	}
	listOnly := pol("list-only", stmt("Allow", "s3:List*", "*"))
	getOnly := pol("get-only", stmt("Allow", "s3:GetObject", "*"))
	crossB := s3Get(userB, obj)
	crossB.ResourceAccount = acctA
	sameA := s3Get(userA, obj)
	sameA.ResourceAccount = acctA
	sess := s3Get(sessionA, obj)
	sess.ResourceAccount = acctA
	runCases(t, []evalCase{
		{"same account: resource policy naming the user suffices", docLogic, sameA, Set{Resource: grant(userA)}, Allowed, nil},
		{"same account: naming the account needs an identity allow", docLogic, sameA, Set{Resource: grant(acctA)}, ImplicitDeny, nil},
		{"same account: account grant plus identity allow", docLogic, sameA,
			Set{Resource: grant("arn:aws:iam::111122223333:root"), Identity: []*Compiled{getOnly}}, Allowed, nil},
		{"cross account: resource allow alone is not enough", docCrossAccount, crossB, Set{Resource: grant(userB)}, ImplicitDeny, nil},
		{"cross account: identity allow alone is not enough", docCrossAccount, crossB, Set{Identity: []*Compiled{getOnly}}, ImplicitDeny, nil},
		{"cross account: both sides allow", docCrossAccount, crossB, Set{Resource: grant(acctB), Identity: []*Compiled{getOnly}}, Allowed, nil},
		{"boundary does not limit a grant to the user ARN", docBoundaries, sameA,
			Set{Resource: grant(userA), Boundary: []*Compiled{listOnly}}, Allowed, nil},
		{"boundary limits a grant to the role ARN", docBoundaries, sess,
			Set{Resource: grant(roleA), Boundary: []*Compiled{listOnly}}, ImplicitDeny, nil},
		{"boundary does not limit a grant to the session ARN", docBoundaries, sess,
			Set{Resource: grant(sessionA), Boundary: []*Compiled{listOnly}}, Allowed, nil},
		{"session policy limits a grant to the role ARN", docSession, sess,
			Set{Resource: grant(roleA), Session: []*Compiled{listOnly}}, ImplicitDeny, nil},
		{"role ARN grant names its sessions", docPrincipal, sess, Set{Resource: grant(roleA)}, Allowed, nil},
		{"anonymous: only Principal * grants", docPrincipal, s3Get("", obj),
			Set{Resource: pol("public", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`)}, Allowed, nil},
		{"anonymous: identity policies do not apply", docPrincipal, s3Get("", obj), Set{Identity: []*Compiled{allowAll()}}, ImplicitDeny, nil},
		{"NotPrincipal deny spares the named principal", docPrincipal, sameA,
			Set{Identity: []*Compiled{getOnly}, Resource: pol("np", `{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"Action":"s3:*","Resource":"*"}`)}, Allowed, nil},
		{"NotPrincipal deny always applies to principals with a boundary", docPrincipal, sameA,
			Set{Identity: []*Compiled{getOnly}, Boundary: []*Compiled{getOnly}, Resource: pol("np", `{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"Action":"s3:*","Resource":"*"}`)}, ExplicitDeny, nil},
	})
}

func TestEvaluateTrustAndKeyPolicies(t *testing.T) {
	t.Parallel()
	assume := func(principal, role string) Request {
		return Request{Principal: principal, Action: "sts:AssumeRole", Resource: role, Context: Context{Complete: true}}
	}
	target := "arn:aws:iam::111122223333:role/deploy"
	trust := func(p string) *Compiled {
		return pol("trust", fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}`, p))
	}
	canAssume := pol("assume", stmt("Allow", "sts:AssumeRole", "*"))
	key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	decrypt := Request{Principal: userA, Action: "kms:Decrypt", Resource: key, Context: Context{Complete: true}}
	keyPol := func(p string) *Compiled {
		return pol("key-policy", fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"kms:*","Resource":"*"}`, p))
	}
	runCases(t, []evalCase{
		{"trust naming the user suffices in the account", docTrust, assume(userA, target), Set{Resource: trust(userA)}, Allowed, nil},
		{"trust naming the account needs an identity allow", docTrust, assume(userA, target), Set{Resource: trust(acctA)}, ImplicitDeny, nil},
		{"trust naming the account with identity allow", docTrust, assume(userA, target),
			Set{Resource: trust(acctA), Identity: []*Compiled{canAssume}}, Allowed, nil},
		{"no trust: identity allow is not enough", docTrust, assume(userA, target), Set{Identity: []*Compiled{allowAll()}}, ImplicitDeny, nil},
		{"cross-account trust needs both sides", docTrust, assume(userB, target), Set{Resource: trust(userB)}, ImplicitDeny, nil},
		{"cross-account trust with identity allow", docTrust, assume(userB, target),
			Set{Resource: trust(acctB), Identity: []*Compiled{canAssume}}, Allowed, nil},
		{"KMS: identity allow without key policy", docKMS, decrypt, Set{Identity: []*Compiled{allowAll()}}, ImplicitDeny, nil},
		{"KMS: key policy delegating to the account plus identity", docKMS, decrypt,
			Set{Identity: []*Compiled{allowAll()}, Resource: keyPol("arn:aws:iam::111122223333:root")}, Allowed, nil},
		{"KMS: key policy delegating to the account alone", docKMS, decrypt,
			Set{Resource: keyPol("arn:aws:iam::111122223333:root")}, ImplicitDeny, nil},
		{"KMS: key policy naming the user", docKMS, decrypt, Set{Resource: keyPol(userA)}, Allowed, nil},
	})
}

func TestEvaluateFederated(t *testing.T) {
	t.Parallel()
	role := "arn:aws:iam::111122223333:role/web"
	trust := pol("trust", `{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:pool"}}}`)
	saml := pol("trust", `{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/okta"},"Action":"sts:AssumeRoleWithSAML"}`)
	web := func(complete bool) Request {
		return Request{Principal: "cognito-identity.amazonaws.com", Action: "sts:AssumeRoleWithWebIdentity", Resource: role, Context: Context{Complete: complete}}
	}
	withAud := web(true)
	withAud.Context.Set("cognito-identity.amazonaws.com:aud", "us-east-1:pool")
	runCases(t, []evalCase{
		{"web identity with the audience", docPrincipal, withAud, Set{Resource: trust}, Allowed, nil},
		{"web identity, audience unknown", docPrincipal, web(false), Set{Resource: trust}, Conditional, []string{"cognito-identity.amazonaws.com:aud"}},
		{"web identity, other provider", docPrincipal,
			Request{Principal: "accounts.google.com", Action: "sts:AssumeRoleWithWebIdentity", Resource: role, Context: Context{Complete: true}},
			Set{Resource: trust}, ImplicitDeny, nil},
		{"SAML provider", docPrincipal,
			Request{Principal: "arn:aws:iam::111122223333:saml-provider/okta", Action: "sts:AssumeRoleWithSAML", Resource: role, Context: Context{Complete: true}},
			Set{Resource: saml}, Allowed, nil},
	})
}

func TestRootUserExplained(t *testing.T) {
	t.Parallel()
	req, err := NewRequest(Request{Principal: "arn:aws:iam::111122223333:root", Action: "s3:GetObject", Resource: bucketA + "/k", Context: Context{Complete: true}})
	if err != nil {
		t.Fatal(err)
	}
	got := Evaluate(req, &Set{})
	if got.Decision != Allowed || len(got.Explanation) != 1 || got.Explanation[0].Message != msgRoot {
		t.Errorf("root in its own account: %s %+v, want allow explained by %q", got.Decision, got.Explanation, msgRoot)
	}
}
