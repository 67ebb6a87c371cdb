package synth

import (
	"fmt"
	"time"
)

// account is one account being generated. It is built by one goroutine
// from its own random stream and the read-only org plan.
type account struct {
	o *orgPlan
	p *acctPlan
	r rng

	names     names // per kind: "role/x", "user/x", "policy/x", "group/x", resource names
	users     []*user
	groups    []*group
	roles     []*role
	policies  []*cmPolicy
	pool      map[string][]*cmPolicy // customer managed policies by team, to attach
	poolAll   []*cmPolicy
	awsCount  []int // attachments of each embedded AWS managed policy
	awsBounds []int // its uses as a permissions boundary
	resources []resource
	toolFns   []toolFunction // Lambda functions whose execution role is an agent
	lambdas   []*role        // roles Lambda functions can run as
	planted   []Escalation
	stats     Stats
	boundary  map[string]*cmPolicy // permission boundary policies, by name
}

// ident is what users and roles share for last-accessed data.
type ident struct {
	arn      string
	created  time.Time
	services []string // namespaces granted, in the order met
	admin    bool     // holds Action "*"
	active   bool     // used recently
}

type user struct {
	gaadUser
	ident
	console, mfa bool
	keys         int
}

type role struct {
	gaadRole
	ident
	class string // human, workload, ai-agent, ci, third-party, service-linked, cross-account
}

type group struct {
	gaadGroup
	services []string
	admin    bool
}

// cmPolicy is a customer managed policy; its versions are newest first.
type cmPolicy struct {
	gaadPolicy
	services []string
	admin    bool
}

type toolFunction struct {
	arn  string
	role *role
}

// Identity classes, as DESIGN.md §1 names them (cross-account roles are
// workloads or humans of another account; we tag them to count them).
const (
	classHuman         = "human"
	classWorkload      = "workload"
	classAgent         = "ai-agent"
	classCI            = "ci"
	classThirdParty    = "third-party"
	classServiceLinked = "service-linked"
	classCrossAccount  = "cross-account"
)

func newAccount(o *orgPlan, p *acctPlan) *account {
	n := len(awsPolicies())
	return &account{o: o, p: p, r: newRNG(o.seed, uint64(p.idx)+1), names: names{},
		pool: map[string][]*cmPolicy{}, awsCount: make([]int, n), awsBounds: make([]int, n),
		boundary: map[string]*cmPolicy{}}
}

func (a *account) arn(kind, name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:%s/%s", a.p.id, kind, name)
}

func (a *account) pathArn(kind, path, name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:%s%s%s", a.p.id, kind, path, name)
}

// created returns a creation time after the account joined.
func (a *account) created() time.Time {
	return a.r.timeBetween(a.p.joined, a.o.now.Add(-24*time.Hour))
}

// recently returns a time in the last 30 days, and after created.
func (a *account) recently(created time.Time) time.Time {
	from := a.o.now.AddDate(0, 0, -30)
	if created.After(from) {
		from = created
	}
	return a.r.timeBetween(from, a.o.now)
}

// newRole adds a role; name must be unique (use a.names first).
func (a *account) newRole(class, path, name string, trust doc, tags ...tag) *role {
	created := a.created()
	x := &role{class: class}
	x.Path, x.RoleName, x.RoleId = path, name, a.r.uniqueID("AROA")
	x.Arn = a.pathArn("role", path, name)
	x.CreateDate = awsDate(created)
	x.AssumeRolePolicyDocument = trust.raw()
	x.InstanceProfileList, x.RolePolicyList, x.AttachedManagedPolicies = []instanceProfile{}, []inlinePolicy{}, []attachedPolicy{}
	x.Tags = append([]tag{}, tags...)
	x.ident = ident{arn: x.Arn, created: created, active: a.r.chance(0.75)}
	if x.active {
		x.RoleLastUsed = roleLastUsed{LastUsedDate: awsDate(a.recently(created)), Region: a.p.region}
	} else if a.r.chance(0.5) {
		x.RoleLastUsed = roleLastUsed{LastUsedDate: awsDate(a.r.timeBetween(created, a.o.now.AddDate(0, 0, -120))), Region: a.p.region}
	}
	a.roles = append(a.roles, x)
	return x
}

func (a *account) roleName(base string) string { return a.names.unique("role/" + base)[len("role/"):] }

func (a *account) newUser(path, name string, tags ...tag) *user {
	created := a.created()
	u := &user{}
	u.Path, u.UserName, u.UserId = path, name, a.r.uniqueID("AIDA")
	u.Arn = a.pathArn("user", path, name)
	u.CreateDate = awsDate(created)
	u.GroupList, u.AttachedManagedPolicies = []string{}, []attachedPolicy{}
	u.Tags = tags
	u.ident = ident{arn: u.Arn, created: created, active: a.r.chance(0.7)}
	a.users = append(a.users, u)
	return u
}

func (a *account) newGroup(name string) *group {
	g := &group{}
	g.Path, g.GroupName, g.GroupId = "/", name, a.r.uniqueID("AGPA")
	g.Arn = a.arn("group", name)
	g.CreateDate = awsDate(a.created())
	g.GroupPolicyList, g.AttachedManagedPolicies = []inlinePolicy{}, []attachedPolicy{}
	a.groups = append(a.groups, g)
	return g
}

func (u *user) join(g *group) {
	u.GroupList = append(u.GroupList, g.GroupName)
	u.grant(g.services, g.admin)
}

func (p *ident) grant(services []string, admin bool) {
	p.admin = p.admin || admin
	for _, s := range services {
		if !contains(p.services, s) {
			p.services = append(p.services, s)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// attachAWS attaches the AWS managed policy name to an identity's list.
func (a *account) attachAWS(list *[]attachedPolicy, p *ident, name string) {
	i := awsPolicyIndex(name)
	ap := awsPolicies()[i]
	a.awsCount[i]++
	*list = append(*list, attachedPolicy{ap.name, ap.arn})
	if p != nil {
		p.grant(awsServices(name), name == "AdministratorAccess")
	}
}

// attachCM attaches the customer managed policy c.
func (a *account) attachCM(list *[]attachedPolicy, p *ident, c *cmPolicy) {
	c.AttachmentCount++
	*list = append(*list, attachedPolicy{c.PolicyName, c.Arn})
	if p != nil {
		p.grant(c.services, c.admin)
	}
}

// awsServices approximates the services an AWS managed policy grants, for
// last-accessed data.
func awsServices(name string) []string {
	switch name {
	case "AdministratorAccess":
		return nil
	case "ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit":
		return []string{"s3", "ec2", "iam", "lambda", "dynamodb", "logs", "cloudwatch", "kms", "sqs", "sns", "rds", "cloudformation"}
	case "PowerUserAccess":
		return []string{"s3", "ec2", "lambda", "dynamodb", "logs", "ecs", "ecr", "sqs", "sns", "cloudformation", "ssm", "kms", "iam"}
	case "IAMFullAccess":
		return []string{"iam"}
	case "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess":
		return []string{"s3"}
	case "AmazonEC2ReadOnlyAccess":
		return []string{"ec2", "cloudwatch"}
	case "AmazonDynamoDBFullAccess":
		return []string{"dynamodb", "cloudwatch"}
	case "AmazonSQSFullAccess":
		return []string{"sqs"}
	case "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole":
		return []string{"logs"}
	case "AWSLambdaRole":
		return []string{"lambda"}
	case "AmazonSSMManagedInstanceCore":
		return []string{"ssm"}
	case "CloudWatchAgentServerPolicy":
		return []string{"cloudwatch", "logs", "ec2"}
	case "AmazonECSTaskExecutionRolePolicy", "AmazonEC2ContainerRegistryReadOnly":
		return []string{"ecr", "logs"}
	case "AmazonBedrockFullAccess", "AmazonBedrockReadOnly":
		return []string{"bedrock"}
	}
	return nil
}

// putInline adds an inline policy to list.
func putInline(list *[]inlinePolicy, p *ident, name string, d doc, services ...string) {
	*list = append(*list, inlinePolicy{name, d.raw()})
	if p != nil {
		p.grant(services, false)
	}
}

// setBoundary makes c the permissions boundary of an identity.
func setBoundary(b **permissionsBoundary, c *cmPolicy) {
	c.PermissionsBoundaryUsageCount++
	*b = &permissionsBoundary{"Policy", c.Arn}
}

// newPolicy adds a customer managed policy with versions, oldest first;
// the default is the newest unless rollback.
func (a *account) newPolicy(name, path, description string, versions []doc, services []string, admin, rollback bool) *cmPolicy {
	name = a.names.unique("policy/" + name)[len("policy/"):]
	c := &cmPolicy{services: services, admin: admin}
	created := a.created()
	c.PolicyName, c.PolicyId, c.Path, c.IsAttachable, c.Description = name, a.r.uniqueID("ANPA"), path, true, description
	c.Arn = a.pathArn("policy", path, name)
	c.CreateDate = awsDate(created)
	def := len(versions)
	if rollback && def > 1 {
		def = a.r.between(1, def-1)
	}
	t := created
	for i := len(versions); i >= 1; i-- {
		c.PolicyVersionList = append(c.PolicyVersionList, policyVersion{VersionId: fmt.Sprintf("v%d", i), IsDefaultVersion: i == def})
	}
	// Versions are listed newest first; their dates grow from the oldest.
	for i := range versions {
		v := &c.PolicyVersionList[len(versions)-1-i]
		v.Document = versions[i].raw()
		v.CreateDate = awsDate(t)
		t = a.r.timeBetween(t, a.o.now)
	}
	c.DefaultVersionId = fmt.Sprintf("v%d", def)
	c.UpdateDate = c.PolicyVersionList[0].CreateDate
	a.policies = append(a.policies, c)
	return c
}

func (a *account) identities() int { return len(a.users) + len(a.roles) }
