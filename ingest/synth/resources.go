package synth

import (
	"fmt"
	"strings"
)

// execRoleTag is the tag that names a Lambda function's execution role (or a
// Bedrock agent's service role): resources.json has no field for it.
const execRoleTag = "synth:execution-role"

// genResources creates n resources, with resource policies where the
// service has them, then the Lambda functions of the agents' tools.
func (a *account) genResources(n int) {
	for _, f := range a.toolFns {
		a.addResource(f.arn, a.functionPolicy(f.arn, true), tag{execRoleTag, f.role.Arn}, tag{"ai-agent-tool", "true"})
		agent := fmt.Sprintf("arn:aws:bedrock:%s:%s:agent/%s", a.p.region, a.p.id, a.r.chars(idDigits[:26], 10))
		a.addResource(agent, "", tag{execRoleTag, f.role.Arn})
	}
	for len(a.resources) < n {
		team, app := pick(a.r, teams), pick(a.r, apps)
		tags := []tag{{"team", team}, {"app", app}, {"env", a.p.kind}}
		region, acct := a.p.region, a.p.id
		switch k := a.r.IntN(100); {
		case k < 14:
			name := a.resName(fmt.Sprintf("%s-%s-%s-%s-%s", a.o.company, team, app, pick(a.r, []string{"data", "artifacts", "logs", "uploads", "exports"}), acct))
			a.addResource("arn:aws:s3:::"+name, a.bucketPolicy(name), append(tags, tag{"data-classification", pick(a.r, []string{"public", "internal", "confidential", "restricted"})})...)
		case k < 24:
			arn := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, acct, a.r.uuid())
			a.addResource(arn, a.keyPolicy(), tags...)
		case k < 38:
			name := a.resName(fmt.Sprintf("%s-%s-%s", team, app, pick(a.r, []string{"jobs", "events", "dlq", "inbox", "tasks"})))
			arn := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, acct, name)
			a.addResource(arn, a.queuePolicy(arn, team), tags...)
		case k < 46:
			arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, acct, a.resName(team+"-"+app+"-events"))
			a.addResource(arn, a.topicPolicy(arn), tags...)
		case k < 60:
			name := a.resName(fmt.Sprintf("%s/%s/%s", team, app, pick(a.r, []string{"db-password", "api-key", "oauth-client", "signing-key", "webhook-secret"})))
			arn := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", region, acct, name, a.r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 6))
			a.addResource(arn, a.secretPolicy(arn), tags...)
		case k < 80:
			arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, a.resName(team+"-"+app+"-"+pick(a.r, []string{"handler", "worker", "cron", "api", "consumer"})))
			if len(a.lambdas) > 0 {
				tags = append(tags, tag{execRoleTag, pick(a.r, a.lambdas).Arn})
			}
			policy := ""
			if a.r.chance(0.6) {
				policy = a.functionPolicy(arn, false)
			}
			a.addResource(arn, policy, tags...)
		case k < 92:
			arn := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, acct, a.resName(team+"-"+app+"-"+pick(a.r, []string{"state", "sessions", "orders", "events", "cache"})))
			policy := ""
			if a.r.chance(0.05) {
				policy = newDoc(allow(acts("dynamodb:GetItem", "dynamodb:Query"), arn).by(awsPrincipal(pick(a.r, a.roles).Arn))).text()
			}
			a.addResource(arn, policy, tags...)
		default:
			arn := fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, acct, a.resName(team+"/"+app))
			a.addResource(arn, newDoc(allow(acts("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability")).
				by(&principal{Any: true}).sid("OrgPull").when(cnd("StringEquals", "aws:PrincipalOrgID", a.o.orgID))).text(), tags...)
		}
	}
}

func (a *account) resName(base string) string {
	return strings.TrimPrefix(a.names.unique("res/"+base), "res/")
}

func (a *account) addResource(arn, policy string, tags ...tag) {
	if tags == nil {
		tags = []tag{}
	}
	a.resources = append(a.resources, resource{Arn: arn, Policy: policy, Tags: tags})
	if policy != "" {
		a.stats.ResourcePolicies++
	}
}

// someRole returns the ARN of a role of this account.
func (a *account) someRole() string { return pick(a.r, a.roles).Arn }

// otherAccount returns another account of the org (or this one, alone).
func (a *account) otherAccount() *acctPlan {
	o := pick(a.r, a.o.accounts)
	if o.idx == a.p.idx && len(a.o.accounts) > 1 {
		o = a.o.accounts[(o.idx+1)%len(a.o.accounts)]
	}
	return o
}

func (a *account) bucketPolicy(name string) string {
	if a.r.chance(0.2) {
		return ""
	}
	b := "arn:aws:s3:::" + name
	d := newDoc(stmt{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: &principal{Any: true}, Action: list{"s3:*"},
		Resource: list{b, b + "/*"}, Condition: cond{cnd("Bool", "aws:SecureTransport", "false")}})
	switch k := a.r.IntN(100); {
	case k < 30:
		d.Statement = append(d.Statement, allow(acts("s3:GetObject", "s3:ListBucket"), b, b+"/*").sid("CrossAccountRead").
			by(awsPrincipal(rootArn(a.otherAccount().id))))
	case k < 50:
		d.Statement = append(d.Statement, allow(acts("s3:GetObject"), b+"/*").sid("AllowCloudFrontServicePrincipal").
			by(servicePrincipal("cloudfront.amazonaws.com")).
			when(cnd("StringEquals", "AWS:SourceArn", fmt.Sprintf("arn:aws:cloudfront::%s:distribution/E%s", a.p.id, a.r.chars(idDigits[:26], 13)))))
	case k < 53:
		d.Statement = append(d.Statement, allow(acts("s3:GetObject"), b+"/*").sid("PublicRead").by(&principal{Any: true}))
	case k < 75:
		d.Statement = append(d.Statement, allow(acts("s3:GetObject", "s3:PutObject"), b+"/*").sid("AppAccess").by(awsPrincipal(a.someRole())))
	case k < 85:
		d.Statement = append(d.Statement, allow(acts("s3:GetObject", "s3:ListBucket"), b, b+"/*").sid("OrgRead").
			by(&principal{Any: true}).when(cnd("StringEquals", "aws:PrincipalOrgID", a.o.orgID)))
	}
	return d.text()
}

func (a *account) keyPolicy() string {
	d := newDoc(allow(acts("kms:*"), "*").sid("Enable IAM User Permissions").by(awsPrincipal(rootArn(a.p.id))))
	if a.r.chance(0.6) {
		d.Statement = append(d.Statement,
			allow(acts("kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
				"kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"), "*").
				sid("Allow access for Key Administrators").by(awsPrincipal(a.someRole())),
			allow(acts("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"), "*").
				sid("Allow use of the key").by(awsPrincipal(a.someRole(), a.someRole())),
			allow(acts("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"), "*").sid("Allow attachment of persistent resources").
				by(awsPrincipal(a.someRole())).when(cnd("Bool", "kms:GrantIsForAWSResource", "true")))
	}
	if a.r.chance(0.15) {
		d.Statement = append(d.Statement, allow(acts("kms:Decrypt", "kms:DescribeKey"), "*").sid("CrossAccountDecrypt").
			by(awsPrincipal(rootArn(a.otherAccount().id))))
	}
	return d.text()
}

func (a *account) queuePolicy(arn, team string) string {
	if a.r.chance(0.3) {
		return ""
	}
	d := newDoc(allow(acts("sqs:SendMessage"), arn).sid("AllowTopic").by(servicePrincipal("sns.amazonaws.com")).
		when(cnd("ArnEquals", "aws:SourceArn", fmt.Sprintf("arn:aws:sns:%s:%s:%s-*", a.p.region, a.p.id, team))))
	if a.r.chance(0.5) {
		d.Statement = append(d.Statement, allow(acts("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), arn).
			sid("Consumer").by(awsPrincipal(a.someRole())))
	}
	if a.r.chance(0.1) {
		d.Statement = append(d.Statement, allow(acts("sqs:*"), arn).sid("Everyone").by(&principal{Any: true}))
	}
	return d.text()
}

func (a *account) topicPolicy(arn string) string {
	d := newDoc(
		stmt{Sid: "__default_statement_ID", Effect: "Allow", Principal: awsPrincipal("*"),
			Action: list{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
				"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			Resource: list{arn}, Condition: cond{cnd("StringEquals", "AWS:SourceOwner", a.p.id)}})
	if a.r.chance(0.4) {
		d.Statement = append(d.Statement, allow(acts("sns:Publish"), arn).sid("AllowEventBridge").by(servicePrincipal("events.amazonaws.com")))
	}
	return d.text()
}

func (a *account) secretPolicy(arn string) string {
	if a.r.chance(0.6) {
		return ""
	}
	reader := a.someRole()
	return newDoc(
		allow(acts("secretsmanager:GetSecretValue"), "*").sid("AppReads").by(awsPrincipal(reader)),
		stmt{Sid: "DenyOthers", Effect: "Deny", Principal: &principal{Any: true}, Action: list{"secretsmanager:GetSecretValue"}, Resource: list{"*"},
			Condition: cond{cnd("StringNotEquals", "aws:PrincipalArn", reader, rootArn(a.p.id))}}).text()
}

// functionPolicy lets a service invoke a function; an agent tool lets
// Bedrock agents of the account invoke it.
func (a *account) functionPolicy(arn string, tool bool) string {
	if tool {
		return newDoc(allow(acts("lambda:InvokeFunction"), arn).sid("AllowBedrockAgents").by(servicePrincipal("bedrock.amazonaws.com")).
			when(cnd("StringEquals", "AWS:SourceAccount", a.p.id),
				cnd("ArnLike", "AWS:SourceArn", fmt.Sprintf("arn:aws:bedrock:%s:%s:agent/*", a.p.region, a.p.id)))).text()
	}
	var s stmt
	switch k := a.r.IntN(100); {
	case k < 40:
		s = allow(acts("lambda:InvokeFunction"), arn).by(servicePrincipal("apigateway.amazonaws.com")).
			when(cnd("ArnLike", "AWS:SourceArn", fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/*/*/*", a.p.region, a.p.id, a.r.chars(lowerAlnum, 10))))
	case k < 65:
		s = allow(acts("lambda:InvokeFunction"), arn).by(servicePrincipal("events.amazonaws.com")).
			when(cnd("ArnLike", "AWS:SourceArn", fmt.Sprintf("arn:aws:events:%s:%s:rule/*", a.p.region, a.p.id)))
	case k < 85:
		s = allow(acts("lambda:InvokeFunction"), arn).by(servicePrincipal("s3.amazonaws.com")).
			when(cnd("StringEquals", "AWS:SourceAccount", a.p.id))
	default:
		s = allow(acts("lambda:InvokeFunction"), arn).by(awsPrincipal(rootArn(a.otherAccount().id)))
	}
	s.Sid = "invoke-" + a.r.hex(8)
	return newDoc(s).text()
}
