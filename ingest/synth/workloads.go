package synth

import (
	"fmt"
	"strings"
)

func rootArn(account string) string { return "arn:aws:iam::" + account + ":root" }

// serviceTrust is the trust policy of a role a service assumes.
func serviceTrust(services ...string) doc {
	return newDoc(stmt{Effect: "Allow", Principal: servicePrincipal(services...), Action: list{"sts:AssumeRole"}})
}

// serviceLinked are the service-linked roles and their AWS managed policies.
var serviceLinked = []struct{ role, service, policy string }{
	{"AWSServiceRoleForSSO", "sso.amazonaws.com", "AWSSSOServiceRolePolicy"},
	{"AWSServiceRoleForOrganizations", "organizations.amazonaws.com", "AWSOrganizationsServiceTrustPolicy"},
	{"AWSServiceRoleForTrustedAdvisor", "trustedadvisor.amazonaws.com", "AWSTrustedAdvisorServiceRolePolicy"},
	{"AWSServiceRoleForAmazonGuardDuty", "guardduty.amazonaws.com", "AmazonGuardDutyServiceRolePolicy"},
	{"AWSServiceRoleForElasticLoadBalancing", "elasticloadbalancing.amazonaws.com", "AWSElasticLoadBalancingServiceRolePolicy"},
	{"AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", "AutoScalingServiceRolePolicy"},
	{"AWSServiceRoleForECS", "ecs.amazonaws.com", "AmazonECSServiceRolePolicy"},
}

func (a *account) serviceLinkedRoles() {
	n := len(serviceLinked)
	if a.p.kind == kindManagement || a.p.kind == kindLogArchive || a.p.kind == kindSecurity {
		n = 4
	}
	for _, s := range serviceLinked[:n] {
		x := a.newRole(classServiceLinked, "/aws-service-role/"+s.service+"/", a.roleName(s.role), serviceTrust(s.service))
		a.attachAWS(&x.AttachedManagedPolicies, nil, s.policy)
	}
}

// wellKnownRoles are the roles the org's own tooling relies on in every
// account, and the hubs that use them.
func (a *account) wellKnownRoles() {
	mgmt := a.p.kind == kindManagement
	if !mgmt {
		x := a.newRole(classCrossAccount, "/", a.roleName(orgAccessRole), newDoc(stmt{Effect: "Allow",
			Principal: awsPrincipal(rootArn(a.o.mgmt().id)), Action: list{"sts:AssumeRole"}}))
		a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AdministratorAccess")
		x = a.newRole(classCrossAccount, "/", a.roleName("terraform-deployer"), newDoc(stmt{Effect: "Allow",
			Principal: awsPrincipal(fmt.Sprintf("arn:aws:iam::%s:role/terraform-ci", a.o.accounts[a.o.shared].id)),
			Action:    list{"sts:AssumeRole", "sts:TagSession"}}), tag{"managed-by", "terraform"})
		a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AdministratorAccess")
	}
	x := a.newRole(classCrossAccount, "/", a.roleName("security-audit"), newDoc(stmt{Effect: "Allow",
		Principal: awsPrincipal(fmt.Sprintf("arn:aws:iam::%s:role/security-scanner", a.o.accounts[a.o.security].id)),
		Action:    list{"sts:AssumeRole"}}))
	a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "SecurityAudit")
	a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "ViewOnlyAccess")
	if a.p.idx == a.o.shared {
		x := a.newRole(classCI, "/", a.roleName("terraform-ci"), a.githubTrust("terraform-live", ":ref:refs/heads/main"))
		putInline(&x.RolePolicyList, &x.ident, "assume-deployers", newDoc(
			allow(acts("sts:AssumeRole", "sts:TagSession"), "arn:aws:iam::*:role/terraform-deployer")), "sts")
		a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "ReadOnlyAccess")
	}
	if a.p.idx == a.o.security {
		x := a.newRole(classWorkload, "/", a.roleName("security-scanner"), serviceTrust("ecs-tasks.amazonaws.com"))
		putInline(&x.RolePolicyList, &x.ident, "assume-audit", newDoc(
			allow(acts("sts:AssumeRole"), "arn:aws:iam::*:role/security-audit")), "sts")
	}
	for _, ch := range a.o.chains {
		a.chainRoles(ch)
	}
}

// chainRoles creates this account's links of a cross-account chain.
func (a *account) chainRoles(ch chain) {
	an, bn, cn := ch.names()
	acct := func(i int) string { return a.o.accounts[i].id }
	roleIn := func(i int, name string) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s", acct(i), name) }
	if ch.c == a.p.idx {
		x := a.newRole(classWorkload, "/", a.roleName(cn), serviceTrust("codebuild.amazonaws.com"), tag{"pipeline", fmt.Sprint(ch.n)})
		putInline(&x.RolePolicyList, &x.ident, "assume-broker", newDoc(allow(acts("sts:AssumeRole"), roleIn(ch.b, bn))), "sts")
		a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AWSLambdaBasicExecutionRole")
	}
	if ch.b == a.p.idx {
		x := a.newRole(classCrossAccount, "/", a.roleName(bn), newDoc(stmt{Effect: "Allow", Principal: awsPrincipal(roleIn(ch.c, cn)),
			Action: list{"sts:AssumeRole"}}), tag{"pipeline", fmt.Sprint(ch.n)})
		putInline(&x.RolePolicyList, &x.ident, "assume-target", newDoc(allow(acts("sts:AssumeRole"), roleIn(ch.a, an))), "sts")
	}
	if ch.a == a.p.idx {
		x := a.newRole(classCrossAccount, "/", a.roleName(an), newDoc(stmt{Effect: "Allow", Principal: awsPrincipal(roleIn(ch.b, bn)),
			Action: list{"sts:AssumeRole"}, Condition: cond{cnd("StringEquals", "aws:PrincipalOrgID", a.o.orgID)}}), tag{"pipeline", fmt.Sprint(ch.n)})
		if ch.n == 1 {
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AdministratorAccess")
		} else {
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "PowerUserAccess")
		}
	}
}

// workloads creates n roles that compute services assume.
func (a *account) workloads(n int) {
	for range n {
		team, app := pick(a.r, teams), pick(a.r, apps)
		tags := []tag{{"team", team}, {"app", app}, {"env", a.p.kind}}
		var x *role
		switch k := a.r.IntN(100); {
		case k < 45:
			x = a.newRole(classWorkload, pick(a.r, []string{"/", "/service-role/"}), a.roleName(team+"-"+app+"-lambda"), serviceTrust("lambda.amazonaws.com"), tags...)
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, pick(a.r, []string{"AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole"}))
			a.lambdas = append(a.lambdas, x)
		case k < 70:
			x = a.newRole(classWorkload, "/", a.roleName(team+"-"+app+"-ec2"), serviceTrust("ec2.amazonaws.com"), tags...)
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AmazonSSMManagedInstanceCore")
			if a.r.chance(0.5) {
				a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "CloudWatchAgentServerPolicy")
			}
			a.instanceProfile(x)
		case k < 95:
			if a.r.chance(0.3) {
				x = a.newRole(classWorkload, "/", a.roleName(team+"-"+app+"-task-execution"), serviceTrust("ecs-tasks.amazonaws.com"), tags...)
				a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AmazonECSTaskExecutionRolePolicy")
				continue
			}
			x = a.newRole(classWorkload, "/", a.roleName(team+"-"+app+"-task"), serviceTrust("ecs-tasks.amazonaws.com"), tags...)
		default:
			svc := pick(a.r, []string{"states", "glue", "codebuild", "events"})
			x = a.newRole(classWorkload, "/service-role/", a.roleName(team+"-"+app+"-"+svc), serviceTrust(svc+".amazonaws.com"), tags...)
		}
		for range a.r.between(1, 3) {
			a.attachCM(&x.AttachedManagedPolicies, &x.ident, a.poolPolicy(team))
		}
		switch k := a.r.IntN(100); {
		case k < 3:
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AdministratorAccess")
		case k < 8:
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AmazonS3FullAccess")
		case k < 11:
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AmazonDynamoDBFullAccess")
		case k < 14:
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AmazonSQSFullAccess")
		}
		if a.r.chance(0.15) {
			vs, svcs := a.appPolicy(team, app)
			putInline(&x.RolePolicyList, &x.ident, app+"-inline", vs[len(vs)-1], svcs...)
		}
		if a.r.chance(0.25) {
			setBoundary(&x.PermissionsBoundary, a.boundaryPolicy("workload-boundary"))
		}
	}
}

func (a *account) instanceProfile(x *role) {
	x.InstanceProfileList = append(x.InstanceProfileList, instanceProfile{
		Path: x.Path, InstanceProfileName: x.RoleName, InstanceProfileId: a.r.uniqueID("AIPA"),
		Arn: a.pathArn("instance-profile", x.Path, x.RoleName), CreateDate: x.CreateDate,
		Roles: []profileRole{{Path: x.Path, RoleName: x.RoleName, RoleId: x.RoleId, Arn: x.Arn, CreateDate: x.CreateDate,
			AssumeRolePolicyDocument: x.AssumeRolePolicyDocument}},
	})
	a.stats.InstanceProfiles++
}

// githubTrust trusts GitHub Actions runs of repo whose subject ends in sub.
func (a *account) githubTrust(repo, sub string) doc {
	return newDoc(stmt{Effect: "Allow", Principal: federated(a.arn("oidc-provider", "token.actions.githubusercontent.com")),
		Action: list{"sts:AssumeRoleWithWebIdentity"},
		Condition: cond{cnd("StringEquals", "token.actions.githubusercontent.com:aud", "sts.amazonaws.com"),
			cnd("StringLike", "token.actions.githubusercontent.com:sub", fmt.Sprintf("repo:%s/%s%s", a.o.company, repo, sub))}})
}

// ciRoles creates n roles CI pipelines assume through OIDC.
func (a *account) ciRoles(n int) {
	for range n {
		repo, team := pick(a.r, repos), pick(a.r, teams)
		var x *role
		if a.r.chance(0.85) {
			sub := pick(a.r, []string{":*", ":*", ":ref:refs/heads/main", ":environment:production", ":pull_request"})
			if a.r.chance(0.04) {
				repo, sub = "*", "" // any repository of the org: a common mistake
			}
			x = a.newRole(classCI, "/ci/", a.roleName("github-actions-"+trimStar(repo, team)), a.githubTrust(repo, sub), tag{"repo", repo})
		} else {
			x = a.newRole(classCI, "/ci/", a.roleName("gitlab-ci-"+repo), newDoc(stmt{Effect: "Allow",
				Principal: federated(a.arn("oidc-provider", "gitlab.com")), Action: list{"sts:AssumeRoleWithWebIdentity"},
				Condition: cond{cnd("StringEquals", "gitlab.com:aud", "https://gitlab.com"),
					cnd("StringLike", "gitlab.com:sub", fmt.Sprintf("project_path:%s/%s:ref_type:branch:ref:*", a.o.company, repo))}}), tag{"repo", repo})
		}
		switch k := a.r.IntN(100); {
		case k < 15:
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "PowerUserAccess")
		case k < 20:
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AdministratorAccess")
		}
		putInline(&x.RolePolicyList, &x.ident, "deploy", newDoc(
			allow(acts("s3:PutObject", "s3:GetObject", "s3:ListBucket"), fmt.Sprintf("arn:aws:s3:::%s-%s-artifacts-*", a.o.company, team), fmt.Sprintf("arn:aws:s3:::%s-%s-artifacts-*/*", a.o.company, team)),
			allow(acts("cloudformation:*"), fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s-*/*", a.p.region, a.p.id, team)),
			allow(acts("iam:PassRole"), a.arn("role", team+"-*")).when(cnd("StringEquals", "iam:PassedToService", "cloudformation.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"))),
			"s3", "cloudformation", "iam")
		a.attachCM(&x.AttachedManagedPolicies, &x.ident, a.poolPolicy(team))
	}
}

func trimStar(repo, team string) string {
	if repo == "*" {
		return "org-wide-" + team
	}
	return repo
}

// thirdParties creates up to n roles that vendors assume from their own
// accounts, most with an external id.
func (a *account) thirdParties(n int) {
	for i, v := range vendors {
		if n <= 0 {
			return
		}
		if !a.r.chance(0.6) {
			continue
		}
		n--
		s := stmt{Effect: "Allow", Principal: awsPrincipal(rootArn(a.o.vendorIDs[i])), Action: list{"sts:AssumeRole"}}
		if a.r.chance(0.9) {
			s.Condition = cond{cnd("StringEquals", "sts:ExternalId", a.r.uuid())}
		}
		x := a.newRole(classThirdParty, "/third-party/", a.roleName(v.role), newDoc(s), tag{"vendor", v.service})
		for _, m := range v.policies {
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, m)
		}
		if len(v.extra) > 0 {
			svcs := []string{}
			for _, act := range v.extra {
				ns, _, _ := strings.Cut(act, ":")
				if !contains(svcs, ns) {
					svcs = append(svcs, ns)
				}
			}
			c := a.newPolicy(v.service+"-integration", "/third-party/", "Access for "+v.service,
				a.versions(newDoc(allow(v.extra, "*"))), svcs, false, false)
			a.attachCM(&x.AttachedManagedPolicies, &x.ident, c)
		}
	}
}

// crossAccount creates n roles other accounts of the org assume.
func (a *account) crossAccount(n int) {
	for range n {
		other := pick(a.r, a.o.accounts)
		for other.idx == a.p.idx && len(a.o.accounts) > 1 {
			other = pick(a.r, a.o.accounts)
		}
		team, app := pick(a.r, teams), pick(a.r, apps)
		s := stmt{Effect: "Allow", Action: list{"sts:AssumeRole"}}
		if a.r.chance(0.6) || other.kind == kindManagement {
			s.Principal = awsPrincipal(rootArn(other.id))
		} else {
			s.Principal = awsPrincipal(fmt.Sprintf("arn:aws:iam::%s:role/terraform-deployer", other.id))
		}
		if a.r.chance(0.4) {
			s.Condition = cond{cnd("StringEquals", "aws:PrincipalOrgID", a.o.orgID)}
		}
		x := a.newRole(classCrossAccount, "/", a.roleName(fmt.Sprintf("%s-%s-xacct-access", team, app)), newDoc(s), tag{"team", team}, tag{"trusted-account", other.name})
		for range a.r.between(1, 2) {
			a.attachCM(&x.AttachedManagedPolicies, &x.ident, a.poolPolicy(team))
		}
	}
}
