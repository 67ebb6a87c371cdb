package synth

import "fmt"

// permissionSet is an IAM Identity Center permission set, provisioned into
// an account as an AWSReservedSSO_ role.
type permissionSet struct {
	name    string
	managed []string
	inline  *doc
}

var permissionSets = []permissionSet{
	{name: "AdministratorAccess", managed: []string{"AdministratorAccess"}},
	{name: "ReadOnlyAccess", managed: []string{"ReadOnlyAccess"}},
	{name: "PowerUserAccess", managed: []string{"PowerUserAccess"}},
	{name: "SecurityAuditor", managed: []string{"SecurityAudit", "ViewOnlyAccess"}},
	{name: "DataScientist", managed: []string{"AmazonS3ReadOnlyAccess", "AmazonBedrockFullAccess"},
		inline: &doc{Version: "2012-10-17", Statement: []stmt{allow(acts("athena:*", "glue:Get*", "sagemaker:*"), "*").sid("Analytics")}}},
	{name: "BillingAdmin", inline: &doc{Version: "2012-10-17", Statement: []stmt{allow(acts("aws-portal:*", "budgets:*", "ce:*", "cur:*", "billing:*"), "*")}}},
	{name: "DeveloperAccess", managed: []string{"ViewOnlyAccess"},
		inline: &doc{Version: "2012-10-17", Statement: []stmt{
			allow(acts("lambda:*", "logs:*", "s3:*", "dynamodb:*", "sqs:*", "ecs:*", "ecr:*", "cloudformation:*"), "*"),
			deny(acts("iam:*User*", "iam:*AccessKey*", "organizations:*"), "*")}}},
}

// ssoRoles provisions the account's permission sets.
func (a *account) ssoRoles() {
	sets := []int{0, 1, 2}
	switch a.p.kind {
	case kindManagement:
		sets = []int{0, 1, 5}
	case kindSecurity, kindLogArchive:
		sets = []int{0, 1, 3}
	default:
		for i := 3; i < len(permissionSets); i++ {
			if a.r.chance(0.5) {
				sets = append(sets, i)
			}
		}
	}
	path := "/aws-reserved/sso.amazonaws.com/"
	if a.o.ssoRegion() != "us-east-1" {
		path += a.o.ssoRegion() + "/"
	}
	provider := a.arn("saml-provider", "AWSSSO_"+a.o.samlSuffix+"_DO_NOT_DELETE")
	trust := newDoc(stmt{Effect: "Allow", Principal: federated(provider), Action: list{"sts:AssumeRoleWithSAML", "sts:TagSession"},
		Condition: cond{cnd("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml")}})
	for _, i := range sets {
		ps := permissionSets[i]
		x := a.newRole(classHuman, path, a.roleName("AWSReservedSSO_"+ps.name+"_"+a.r.hex(16)), trust)
		for _, m := range ps.managed {
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, m)
		}
		if ps.inline != nil {
			putInline(&x.RolePolicyList, &x.ident, "AwsSSOInlinePolicy", *ps.inline, "s3", "lambda", "dynamodb")
		}
	}
}

// ssoRegion is where the org runs IAM Identity Center.
func (o *orgPlan) ssoRegion() string { return regions[o.seed%uint64(len(regions))] }

// standardGroups creates the usual groups and returns them with the team
// groups after.
func (a *account) standardGroups(users int) []*group {
	admins := a.newGroup("Admins")
	a.attachAWS(&admins.AttachedManagedPolicies, nil, "AdministratorAccess")
	admins.admin = true
	dev := a.newGroup("Developers")
	a.attachAWS(&dev.AttachedManagedPolicies, nil, "PowerUserAccess")
	dev.services = awsServices("PowerUserAccess")
	ro := a.newGroup("ReadOnly")
	a.attachAWS(&ro.AttachedManagedPolicies, nil, "ReadOnlyAccess")
	ro.services = awsServices("ReadOnlyAccess")
	sec := a.newGroup("SecurityAuditors")
	a.attachAWS(&sec.AttachedManagedPolicies, nil, "SecurityAudit")
	sec.services = awsServices("SecurityAudit")
	mfa := a.newGroup("ForceMFA")
	putInline(&mfa.GroupPolicyList, nil, "DenyWithoutMFA", newDoc(
		allow(acts("iam:ChangePassword", "iam:GetUser", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"),
			a.arn("user", "${aws:username}"), a.arn("mfa", "${aws:username}")).sid("ManageOwnMFA"),
		stmt{Sid: "DenyAllExceptListedIfNoMFA", Effect: "Deny",
			NotAction: list{"iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken", "iam:ChangePassword"},
			Resource:  list{"*"}, Condition: cond{cnd("BoolIfExists", "aws:MultiFactorAuthPresent", "false")}}))
	out := []*group{admins, dev, ro, sec, mfa}
	for range max(1, users/15) {
		team := pick(a.r, teams)
		name := a.names.unique("group/" + team + "-engineers")[len("group/"):]
		g := a.newGroup(name)
		for range a.r.between(1, 2) {
			c := a.poolPolicy(team)
			a.attachCM(&g.AttachedManagedPolicies, nil, c)
			g.services = append(g.services, c.services...)
		}
		out = append(out, g)
	}
	return out
}

// iamUsers creates n IAM users: people with console passwords (some with MFA,
// some with access keys) in groups, and service users with keys only.
func (a *account) iamUsers(n int) {
	groups := a.standardGroups(n)
	for range n {
		team := pick(a.r, teams)
		if a.r.chance(0.3) {
			u := a.newUser("/service/", a.names.unique("user/svc-" + team + "-" + pick(a.r, apps))[len("user/"):], tag{"team", team}, tag{"type", "service"})
			u.keys = a.r.between(1, 2)
			for range a.r.between(1, 2) {
				a.attachCM(&u.AttachedManagedPolicies, &u.ident, a.poolPolicy(team))
			}
			if a.r.chance(0.03) {
				a.attachAWS(&u.AttachedManagedPolicies, &u.ident, "AdministratorAccess")
			}
			continue
		}
		name := a.names.unique("user/" + pick(a.r, firstNames) + "." + pick(a.r, lastNames))[len("user/"):]
		u := a.newUser(pick(a.r, []string{"/", "/", "/people/"}), name, tag{"team", team}, tag{"email", name + "@" + a.o.company + ".example.com"})
		u.console = a.r.chance(0.9)
		u.mfa = u.console && a.r.chance(0.65)
		if a.r.chance(0.35) {
			u.keys = 1
		}
		if u.mfa || a.r.chance(0.5) {
			u.join(groups[4])
		}
		switch x := a.r.IntN(100); {
		case x < 5:
			u.join(groups[0])
		case x < 45:
			u.join(groups[1])
		case x < 60:
			u.join(groups[2])
		case x < 65:
			u.join(groups[3])
		}
		if len(groups) > 5 && a.r.chance(0.6) {
			u.join(pick(a.r, groups[5:]))
		}
		switch x := a.r.IntN(100); {
		case x < 2:
			a.attachAWS(&u.AttachedManagedPolicies, &u.ident, "IAMFullAccess")
		case x < 5:
			a.attachAWS(&u.AttachedManagedPolicies, &u.ident, "AmazonS3FullAccess")
		case x < 15:
			a.attachCM(&u.AttachedManagedPolicies, &u.ident, a.poolPolicy(team))
		}
		if a.r.chance(0.2) {
			putInline(&u.UserPolicyList, &u.ident, "self-manage-credentials", newDoc(
				allow(acts("iam:ChangePassword", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetUser"),
					a.arn("user", "${aws:username}"))), "iam")
		}
		if a.r.chance(0.2) {
			setBoundary(&u.PermissionsBoundary, a.boundaryPolicy("developer-boundary"))
		}
	}
}

// federatedHumans creates n roles people reach through a corporate SAML IdP,
// and a break-glass role.
func (a *account) federatedHumans(n int) {
	bg := a.newRole(classHuman, "/", a.roleName("BreakGlassAdmin"), newDoc(stmt{Effect: "Allow",
		Principal: awsPrincipal(rootArn(a.p.id)), Action: list{"sts:AssumeRole"},
		Condition: cond{cnd("Bool", "aws:MultiFactorAuthPresent", "true")}}), tag{"purpose", "break-glass"})
	a.attachAWS(&bg.AttachedManagedPolicies, &bg.ident, "AdministratorAccess")
	provider := a.arn("saml-provider", "Okta")
	trust := newDoc(stmt{Effect: "Allow", Principal: federated(provider), Action: list{"sts:AssumeRoleWithSAML"},
		Condition: cond{cnd("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml")}})
	for range n - 1 {
		team, level := pick(a.r, teams), pick(a.r, []string{"engineer", "engineer", "readonly", "oncall", "admin"})
		x := a.newRole(classHuman, "/federated/", a.roleName(fmt.Sprintf("okta-%s-%s", team, level)), trust, tag{"team", team})
		switch level {
		case "admin":
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AdministratorAccess")
		case "readonly":
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, pick(a.r, []string{"ReadOnlyAccess", "ViewOnlyAccess"}))
		case "engineer":
			if a.r.chance(0.4) {
				a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "PowerUserAccess")
			}
			a.attachCM(&x.AttachedManagedPolicies, &x.ident, a.poolPolicy(team))
			if a.r.chance(0.3) {
				setBoundary(&x.PermissionsBoundary, a.boundaryPolicy("developer-boundary"))
			}
		default:
			a.attachCM(&x.AttachedManagedPolicies, &x.ident, a.poolPolicy(team))
			putInline(&x.RolePolicyList, &x.ident, "oncall-restart", newDoc(
				allow(acts("ecs:UpdateService", "lambda:UpdateFunctionConfiguration", "ec2:RebootInstances", "ssm:SendCommand"), "*")), "ecs", "lambda", "ec2", "ssm")
		}
	}
}
