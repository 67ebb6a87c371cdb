package synth

import "fmt"

// orgPolicy is an SCP or RCP with its targets (root, OU or account ids).
type orgPolicy struct {
	id, name, description, typ string
	awsManaged                 bool
	content                    doc
	targets                    []string
}

const (
	scpType = "SERVICE_CONTROL_POLICY"
	rcpType = "RESOURCE_CONTROL_POLICY"
)

func (o *orgPlan) policyArn(p orgPolicy) string {
	folder := "service_control_policy"
	if p.typ == rcpType {
		folder = "resource_control_policy"
	}
	if p.awsManaged {
		return fmt.Sprintf("arn:aws:organizations::aws:policy/%s/%s", folder, p.id)
	}
	return fmt.Sprintf("arn:aws:organizations::%s:policy/%s/%s/%s", o.mgmt().id, o.orgID, folder, p.id)
}

// approvedRegions are the regions the region guardrail allows.
var approvedRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}

// globalServices are what a region guardrail must leave alone (NotAction).
var globalServices = []string{"a4b:*", "account:*", "budgets:*", "ce:*", "cloudfront:*", "globalaccelerator:*",
	"health:*", "iam:*", "organizations:*", "route53:*", "route53domains:*", "shield:*", "sts:*", "support:*",
	"trustedadvisor:*", "waf:*", "wafv2:*", "s3:GetBucketLocation", "s3:ListAllMyBuckets"}

const orgAccessRole = "OrganizationAccountAccessRole"

func (o *orgPlan) planPolicies(r rng) {
	var all, allButSandbox []string
	all = append(all, o.rootID)
	allButSandbox = append(allButSandbox, o.rootID)
	for _, u := range o.ous {
		all = append(all, u.id)
		if u.name != "Sandbox" {
			allButSandbox = append(allButSandbox, u.id)
		}
	}
	for _, a := range o.accounts {
		all = append(all, a.id)
		allButSandbox = append(allButSandbox, a.id)
	}
	exempt := cnd("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/"+orgAccessRole)
	newID := func() string { return "p-" + r.chars(lowerAlnum, 8) }
	o.policies = []orgPolicy{
		{id: "p-FullAWSAccess", name: "FullAWSAccess", typ: scpType, awsManaged: true,
			description: "Allows access to every operation",
			content:     newDoc(allow(acts("*"), "*")), targets: allButSandbox},
		{id: newID(), name: "Guardrails-DenyList", typ: scpType,
			description: "Baseline guardrails for every account",
			content: newDoc(
				deny(acts("organizations:LeaveOrganization"), "*").sid("DenyLeaveOrganization"),
				deny(acts("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"), "*").
					sid("ProtectCloudTrail").when(exempt),
				deny(acts("guardduty:DeleteDetector", "guardduty:DisassociateFromMasterAccount", "guardduty:UpdateDetector",
					"guardduty:DeleteMembers", "guardduty:StopMonitoringMembers"), "*").sid("ProtectGuardDuty").when(exempt),
				deny(acts("*"), "*").sid("DenyRootUser").when(cnd("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:root")),
			), targets: []string{o.rootID}},
		{id: newID(), name: "DenyUnapprovedRegions", typ: scpType,
			description: "Deny regional services outside the approved regions",
			content: newDoc(stmt{Sid: "DenyOutsideApprovedRegions", Effect: "Deny", NotAction: globalServices, Resource: list{"*"},
				Condition: cond{cnd("StringNotEquals", "aws:RequestedRegion", approvedRegions...), exempt}}),
			targets: []string{o.ouByName("Workloads"), o.ouByName("Infrastructure"), o.ouByName("Sandbox")}},
		{id: newID(), name: "Sandbox-AllowList", typ: scpType,
			description: "Sandbox accounts may use only these services",
			content: newDoc(allow(acts("s3:*", "ec2:*", "lambda:*", "dynamodb:*", "logs:*", "cloudwatch:*", "bedrock:*",
				"iam:Get*", "iam:List*", "iam:PassRole", "sts:*"), "*").sid("AllowListedServices")),
			targets: []string{o.ouByName("Sandbox")}},
		{id: newID(), name: "DenyAll-Suspended", typ: scpType,
			description: "Nothing runs in a suspended account",
			content:     newDoc(deny(acts("*"), "*").sid("DenyAll")), targets: []string{o.ouByName("Suspended")}},
		{id: "p-RCPFullAWSAccess", name: "RCPFullAWSAccess", typ: rcpType, awsManaged: true,
			description: "Allows access to every operation",
			content:     newDoc(allow(acts("*"), "*").by(&principal{Any: true})), targets: all},
		{id: newID(), name: "DataPerimeter-OrgOnly", typ: rcpType,
			description: "Only principals of the organization and AWS services reach our data",
			content: newDoc(stmt{Sid: "EnforceOrgIdentities", Effect: "Deny", Principal: &principal{Any: true},
				Action: list{"s3:*", "sqs:*", "kms:*", "secretsmanager:*"}, Resource: list{"*"},
				Condition: cond{cnd("StringNotEqualsIfExists", "aws:PrincipalOrgID", o.orgID),
					cnd("BoolIfExists", "aws:PrincipalIsAWSService", "false")}}),
			targets: []string{o.rootID}},
	}
}
