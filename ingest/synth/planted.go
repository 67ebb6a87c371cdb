package synth

import "fmt"

// Escalation is a privilege-escalation path planted in a bundle, as listed
// in planted.json: Principal can gain Target's power by Method.
type Escalation struct {
	Principal string   `json:"principal"`     // ARN of the identity that escalates
	Method    string   `json:"method"`        // one of the Method constants
	Target    string   `json:"target"`        // ARN of what it gains: a role, a user, or its own policy
	Via       []string `json:"via,omitempty"` // ARNs in between: roles assumed, the function invoked
	Account   string   `json:"account"`       // account of Principal
	Note      string   `json:"note"`
}

// Methods of planted escalations.
const (
	MethodCreatePolicyVersion    = "iam:CreatePolicyVersion"
	MethodPassRoleLambda         = "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"
	MethodAttachRolePolicy       = "iam:AttachRolePolicy"
	MethodUpdateAssumeRolePolicy = "iam:UpdateAssumeRolePolicy"
	MethodCreateAccessKey        = "iam:CreateAccessKey"
	MethodAssumeRoleChain        = "sts:AssumeRole"
	MethodInvokeAgentLambda      = "lambda:InvokeFunction"
)

// plantedMethods are planted once each, in the account planOrg chose; the
// cross-account AssumeRole chain comes from the org plan.
var plantedMethods = []string{MethodCreatePolicyVersion, MethodPassRoleLambda, MethodAttachRolePolicy,
	MethodUpdateAssumeRolePolicy, MethodCreateAccessKey, MethodAssumeRoleChain, MethodInvokeAgentLambda}

func (a *account) plant() {
	for i, m := range plantedMethods {
		if a.o.plants[i] != a.p {
			continue
		}
		e := a.plantOne(m)
		e.Method, e.Account = m, a.p.id
		a.planted = append(a.planted, e)
	}
}

func (a *account) plantOne(method string) Escalation {
	switch method {
	case MethodCreatePolicyVersion:
		u := a.newUser("/", a.names.unique("user/ops.contractor")[len("user/"):], tag{"team", "platform"})
		u.console, u.mfa = true, false
		c := a.newPolicy("ops-contractor-access", "/", "", []doc{newDoc(allow(acts("ec2:Describe*"), "*"))}, []string{"iam", "ec2"}, false, false)
		c.PolicyVersionList[0].Document = newDoc(
			allow(acts("ec2:Describe*", "cloudwatch:GetMetricData"), "*").sid("Observe"),
			allow(acts("iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:CreatePolicyVersion"), c.Arn).sid("MaintainOwnPolicy")).raw()
		a.attachCM(&u.AttachedManagedPolicies, &u.ident, c)
		return Escalation{Principal: u.Arn, Target: c.Arn, Note: "user can write a new default version of a policy attached to itself"}
	case MethodPassRoleLambda:
		admin := a.newRole(classWorkload, "/", a.roleName("lambda-admin-execution"), serviceTrust("lambda.amazonaws.com"))
		a.attachAWS(&admin.AttachedManagedPolicies, &admin.ident, "AdministratorAccess")
		x := a.newRole(classWorkload, "/", a.roleName("build-automation-deployer"), serviceTrust("ecs-tasks.amazonaws.com"), tag{"team", "platform"})
		putInline(&x.RolePolicyList, &x.ident, "deploy-functions", newDoc(
			allow(acts("iam:PassRole", "iam:ListRoles"), "*").sid("PassAnyRole"),
			allow(acts("lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction"), "*").sid("ManageFunctions")), "iam", "lambda")
		return Escalation{Principal: x.Arn, Target: admin.Arn, Note: "can pass an admin role Lambda trusts to a new function and invoke it"}
	case MethodAttachRolePolicy:
		name := a.roleName("github-actions-self-service")
		x := a.newRole(classCI, "/ci/", name, a.githubTrust("platform-modules", ":*"), tag{"repo", "platform-modules"})
		putInline(&x.RolePolicyList, &x.ident, "manage-own-policies", newDoc(
			allow(acts("iam:AttachRolePolicy", "iam:ListAttachedRolePolicies"), x.Arn).sid("SelfService")), "iam")
		return Escalation{Principal: x.Arn, Target: x.Arn, Note: "role can attach any managed policy, AdministratorAccess included, to itself"}
	case MethodUpdateAssumeRolePolicy:
		admin := a.newRole(classHuman, "/", a.roleName("prod-admin"), newDoc(stmt{Effect: "Allow", Principal: awsPrincipal(rootArn(a.p.id)),
			Action: list{"sts:AssumeRole"}, Condition: cond{cnd("Bool", "aws:MultiFactorAuthPresent", "true")}}))
		a.attachAWS(&admin.AttachedManagedPolicies, &admin.ident, "AdministratorAccess")
		u := a.newUser("/", a.names.unique("user/platform.oncall")[len("user/"):], tag{"team", "platform"})
		u.console, u.mfa = true, true
		putInline(&u.UserPolicyList, &u.ident, "oncall-trust-maintenance", newDoc(
			allow(acts("iam:GetRole", "iam:UpdateAssumeRolePolicy"), admin.Arn).sid("FixTrust"),
			allow(acts("sts:AssumeRole"), admin.Arn)), "iam", "sts")
		return Escalation{Principal: u.Arn, Target: admin.Arn, Note: "user can rewrite an admin role's trust policy to trust itself"}
	case MethodCreateAccessKey:
		admin := a.newUser("/", a.names.unique("user/legacy-admin")[len("user/"):], tag{"owner", "unknown"})
		admin.keys = 1
		a.attachAWS(&admin.AttachedManagedPolicies, &admin.ident, "AdministratorAccess")
		x := a.newRole(classAgent, "/service-role/", a.roleName("support-agent-escalations"), a.bedrockTrust(false), tag{"ai-agent", "true"})
		putInline(&x.RolePolicyList, &x.ident, "rotate-keys", newDoc(
			allow(acts("iam:ListAccessKeys", "iam:CreateAccessKey", "iam:UpdateAccessKey"), a.arn("user", "*")).sid("RotateUserKeys")), "iam")
		return Escalation{Principal: x.Arn, Target: admin.Arn, Note: "AI agent can mint an access key for an admin user"}
	case MethodAssumeRoleChain:
		etl := a.newRole(classWorkload, "/", a.roleName("reporting-etl-task"), serviceTrust("ecs-tasks.amazonaws.com"), tag{"team", "reporting"})
		hub := a.newRole(classWorkload, "/", a.roleName("data-platform-hub"), newDoc(stmt{Effect: "Allow", Principal: awsPrincipal(etl.Arn), Action: list{"sts:AssumeRole"}}))
		admin := a.newRole(classWorkload, "/", a.roleName("data-admin"), newDoc(stmt{Effect: "Allow", Principal: awsPrincipal(hub.Arn), Action: list{"sts:AssumeRole"}}))
		a.attachAWS(&admin.AttachedManagedPolicies, &admin.ident, "AdministratorAccess")
		putInline(&etl.RolePolicyList, &etl.ident, "assume-hub", newDoc(allow(acts("sts:AssumeRole"), hub.Arn)), "sts")
		putInline(&hub.RolePolicyList, &hub.ident, "assume-admin", newDoc(allow(acts("sts:AssumeRole"), admin.Arn)), "sts")
		return Escalation{Principal: etl.Arn, Target: admin.Arn, Via: []string{hub.Arn}, Note: "role chain ends in an admin role"}
	case MethodInvokeAgentLambda:
		tool := a.newRole(classAgent, "/service-role/", a.roleName("ops-agent-remediator"), a.bedrockTrust(true), tag{"ai-agent", "true"})
		a.attachCM(&tool.AttachedManagedPolicies, &tool.ident, a.adminCopy("ops-agent-remediator-AdministratorAccess"))
		fn := toolFunction{role: tool, arn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s-tool", a.p.region, a.p.id, tool.RoleName)}
		a.toolFns = append(a.toolFns, fn)
		x := a.newRole(classAgent, "/service-role/", a.roleName("triage-agent-frontdesk"), a.bedrockTrust(false), tag{"ai-agent", "true"})
		putInline(&x.RolePolicyList, &x.ident, "invoke-tools", newDoc(allow(acts("lambda:InvokeFunction"), fn.arn).sid("InvokeAgentTools")), "lambda")
		return Escalation{Principal: x.Arn, Target: tool.Arn, Via: []string{fn.arn}, Note: "agent invokes a Lambda tool that runs as an admin agent"}
	}
	panic("synth: unknown planted method " + method)
}

// plantedChain is the cross-account chain planOrg made an admin path.
func (o *orgPlan) plantedChain() Escalation {
	ch := o.chains[0]
	an, bn, cn := ch.names()
	role := func(i int, n string) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s", o.accounts[i].id, n) }
	return Escalation{Principal: role(ch.c, cn), Method: MethodAssumeRoleChain, Target: role(ch.a, an),
		Via: []string{role(ch.b, bn)}, Account: o.accounts[ch.c].id, Note: "cross-account role chain ends in an admin role"}
}
