package synth

import (
	"fmt"
	"strings"
	"time"
)

// appPolicy returns the versions (oldest first) and services of a customer
// managed policy for team's app, in one of the shapes real accounts hold.
func (a *account) appPolicy(team, app string) ([]doc, []string) {
	r, acct, region := a.r, a.p.id, a.p.region
	bucket := fmt.Sprintf("arn:aws:s3:::%s-%s-%s", a.o.company, team, app)
	var d doc
	var svcs []string
	switch x := r.IntN(100); {
	case x < 28:
		d = newDoc(
			allow(acts("s3:GetObject", "s3:PutObject", "s3:DeleteObject"), bucket+"-*/*").sid("ObjectAccess"),
			allow(acts("s3:ListBucket", "s3:GetBucketLocation"), bucket+"-*").sid("ListBuckets"),
			allow(acts("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"),
				fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s-*", region, acct, team),
				fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s-*/index/*", region, acct, team)).sid("Tables"),
			allow(acts("kms:Decrypt", "kms:GenerateDataKey"), "*").sid("UseKeysViaS3").
				when(cnd("StringEquals", "kms:ViaService", "s3."+region+".amazonaws.com", "dynamodb."+region+".amazonaws.com")))
		svcs = []string{"s3", "dynamodb", "kms"}
	case x < 42:
		for range r.between(1, 3) {
			s := pick(r, services).ns
			if !contains(svcs, s) {
				svcs = append(svcs, s)
			}
		}
		var as []string
		for _, s := range svcs {
			as = append(as, s+":Get*", s+":List*", s+":Describe*")
		}
		d = newDoc(allow(as, "*").sid("ReadOnly"))
	case x < 51:
		s1, s2 := pick(r, services).ns, pick(r, services).ns
		svcs = []string{s1}
		as := list{s1 + ":*"}
		if s2 != s1 {
			svcs, as = append(svcs, s2), append(as, s2+":*")
		}
		d = newDoc(allow(as, "*"))
	case x < 61:
		topic := fmt.Sprintf("arn:aws:sns:%s:%s:%s-*", region, acct, team)
		d = newDoc(
			allow(acts("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"),
				fmt.Sprintf("arn:aws:sqs:%s:%s:%s-%s-*", region, acct, team, app)).sid("Queues"),
			allow(acts("sns:Publish"), topic).sid("Publish"))
		svcs = []string{"sqs", "sns"}
	case x < 69:
		d = newDoc(
			allow(acts("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
				fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s/%s/*", region, acct, team, app)).sid("ReadSecrets"),
			allow(acts("kms:Decrypt"), fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, acct)).
				when(cnd("StringLike", "kms:ViaService", "secretsmanager.*.amazonaws.com")))
		svcs = []string{"secretsmanager", "kms"}
	case x < 73:
		d = newDoc(
			stmt{Sid: "EverythingButIAM", Effect: "Allow", NotAction: list{"iam:*", "organizations:*", "account:*"}, Resource: list{"*"}},
			allow(acts("iam:Get*", "iam:List*", "iam:CreateServiceLinkedRole"), "*").sid("ReadIAM"))
		svcs = []string{"s3", "ec2", "lambda", "dynamodb", "sqs", "sns", "logs", "cloudwatch", "iam"}
	case x < 79:
		d = newDoc(
			allow(acts("ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"), fmt.Sprintf("arn:aws:ec2:%s:%s:instance/*", region, acct)).
				sid("OwnTeamInstances").when(cnd("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}")),
			allow(acts("ec2:Describe*"), "*"),
			allow(acts("ssm:StartSession"), fmt.Sprintf("arn:aws:ec2:%s:%s:instance/*", region, acct)).
				when(cnd("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}")))
		svcs = []string{"ec2", "ssm"}
	case x < 85:
		d = newDoc(
			allow(acts("iam:PassRole"), a.arn("role", team+"-*")).sid("PassAppRoles").
				when(cnd("StringEquals", "iam:PassedToService", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com")),
			allow(acts("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion", "lambda:GetFunction"),
				fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s-*", region, acct, team)).sid("DeployFunctions"),
			allow(acts("ecs:UpdateService", "ecs:DescribeServices", "ecs:RegisterTaskDefinition"), "*").sid("DeployServices"))
		svcs = []string{"iam", "lambda", "ecs"}
	case x < 89:
		d = newDoc(
			allow(acts("s3:*"), bucket+"-*", bucket+"-*/*"),
			deny(acts("s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketAcl"), "*").sid("NoBucketChanges"),
			stmt{Sid: "DenyOutsideCorpNetwork", Effect: "Deny", Action: list{"*"}, Resource: list{"*"},
				Condition: cond{cnd("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "198.51.100.0/24"), cnd("Bool", "aws:ViaAWSService", "false")}})
		svcs = []string{"s3"}
	case x < 95:
		d = newDoc(
			allow(acts("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
				fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/lambda/%s-*:*", region, acct, team)),
			allow(acts("cloudwatch:PutMetricData"), "*").when(cnd("StringEquals", "cloudwatch:namespace", strings.ToUpper(team[:1])+team[1:]+"/"+app)))
		svcs = []string{"logs", "cloudwatch"}
	case x < 97:
		d = newDoc(allow(acts("s3:GetObject", "s3:ListBucket", "athena:StartQueryExecution", "athena:GetQueryResults", "glue:GetTable"), "*").
			sid("ContractorAccess").when(cnd("DateLessThan", "aws:CurrentTime", awsDateZ(a.o.now.AddDate(0, 2, 0)))))
		svcs = []string{"s3", "athena", "glue"}
	default:
		d = newDoc(allow(acts("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"),
			fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/%s", region, pick(r, models))))
		svcs = []string{"bedrock"}
	}
	return a.versions(d), svcs
}

// versions returns 1-5 versions ending in d; older ones differ a little, the
// way policies drift: an action more, a resource broader.
func (a *account) versions(d doc) []doc {
	n := 1
	switch x := a.r.IntN(10); {
	case x >= 9:
		n = a.r.between(4, 5)
	case x >= 7:
		n = 3
	case x >= 4:
		n = 2
	}
	out := make([]doc, n)
	out[n-1] = d
	for i := n - 2; i >= 0; i-- {
		old := doc{Version: d.Version, Statement: append([]stmt{}, out[i+1].Statement...)}
		s := old.Statement[0]
		if a.r.chance(0.5) && len(s.Action) > 0 {
			s.Action = append(append(list{}, s.Action...), pick(a.r, []string{"s3:PutBucketPolicy", "iam:PassRole", "kms:*", "ec2:*", "sqs:*"}))
		} else {
			s.Resource = list{"*"}
		}
		old.Statement[0] = s
		out[i] = old
	}
	return out
}

// awsDateZ is the ISO 8601 form policies use for dates.
func awsDateZ(t time.Time) string { return t.Format("2006-01-02T15:04:05Z") }

// fillPool creates n customer managed policies for the account's teams.
func (a *account) fillPool(n int) {
	for range n {
		team, app := pick(a.r, teams), pick(a.r, apps)
		vs, svcs := a.appPolicy(team, app)
		name := team + "-" + app + "-" + pick(a.r, purposes)
		c := a.newPolicy(name, pick(a.r, []string{"/", "/", "/", "/app/", "/team/" + team + "/"}), "", vs, svcs, false, a.r.chance(0.08))
		a.pool[team] = append(a.pool[team], c)
		a.poolAll = append(a.poolAll, c)
	}
}

// poolPolicy returns a pool policy for team, or any if team has none.
func (a *account) poolPolicy(team string) *cmPolicy {
	if ps := a.pool[team]; len(ps) > 0 && a.r.chance(0.8) {
		return pick(a.r, ps)
	}
	return pick(a.r, a.poolAll)
}

// adminCopy is AdministratorAccess copied into a customer managed policy,
// as people do to edit it.
func (a *account) adminCopy(name string) *cmPolicy {
	return a.newPolicy(name, "/", "Copy of AdministratorAccess", []doc{newDoc(allow(acts("*"), "*"))}, nil, true, false)
}

// boundaryPolicy returns the account's permissions boundary name, creating it.
func (a *account) boundaryPolicy(name string) *cmPolicy {
	if c := a.boundary[name]; c != nil {
		return c
	}
	var d doc
	switch name {
	case "developer-boundary":
		d = newDoc(
			allow(acts("s3:*", "dynamodb:*", "lambda:*", "logs:*", "cloudwatch:*", "sqs:*", "sns:*", "ecs:*", "ecr:*", "ec2:Describe*", "ssm:Get*", "kms:Decrypt", "bedrock:Invoke*", "iam:Get*", "iam:List*", "iam:PassRole", "sts:AssumeRole"), "*").sid("AllowedServices"),
			deny(acts("iam:CreateUser", "iam:CreateAccessKey", "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"), "*").sid("NoBoundaryEscape"),
			deny(acts("iam:PassRole"), a.arn("role", "*admin*")).sid("NoPassingAdmin"))
	default:
		d = newDoc(
			stmt{Sid: "WorkloadScope", Effect: "Allow", NotAction: list{"iam:*", "organizations:*", "account:*", "sts:AssumeRole"}, Resource: list{"*"}},
			deny(acts("s3:PutBucketPolicy", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"), "*").sid("NoPolicyChanges"),
			deny(acts("*"), "*").sid("ApprovedRegionsOnly").when(cnd("StringNotEquals", "aws:RequestedRegion", approvedRegions...)))
	}
	c := a.newPolicy(name, "/boundaries/", "Permissions boundary", a.versions(d), nil, false, false)
	a.boundary[name] = c
	return c
}
