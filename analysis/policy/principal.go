package policy

import (
	"strings"
)

// principalKind says what sort of caller a request comes from.
type principalKind uint8

const (
	pkAnonymous principalKind = iota
	pkUser
	pkRole    // a role ARN given as the caller; treated like its session
	pkSession // arn:aws:sts::A:assumed-role/R/S
	pkFederatedUser
	pkRoot
	pkService   // lambda.amazonaws.com
	pkFederated // an identity provider (saml-provider ARN, accounts.google.com)
	pkOther
)

// caller is a request's principal, decoded once in [NewRequest].
type caller struct {
	kind          principalKind
	arn           string // as given
	account       string
	name          string // user name, role name, session name's role
	roleARN       string // for sessions and roles: arn:PART:iam::A:role/NAME (no path for sessions)
	session       string // session name
	partition     string
	rootARN       string // arn:PART:iam::A:root, precomputed so matching never allocates
	serviceLinked bool
}

// parseCaller decodes a principal string. An unrecognised ARN is pkOther,
// still matched exactly by ARN.
func parseCaller(p string) caller {
	c := caller{arn: p, partition: "aws"}
	switch {
	case p == "" || p == "*" || strings.EqualFold(p, "anonymous"):
		c.kind = pkAnonymous
		return c
	case !strings.HasPrefix(p, "arn:"):
		if isServicePrincipal(p) {
			c.kind = pkService
		} else {
			c.kind = pkFederated
		}
		return c
	}
	parts, ok := splitARN(p)
	if !ok {
		c.kind = pkOther
		return c
	}
	c.partition, c.account = parts[1], parts[4]
	c.rootARN = "arn:" + c.partition + ":iam::" + c.account + ":root"
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		c.kind = pkRoot
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		c.kind, c.name = pkUser, lastSegment(res)
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		c.kind, c.name = pkRole, lastSegment(res)
		c.roleARN = p
		c.serviceLinked = strings.HasPrefix(res, "role/aws-service-role/")
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		c.kind = pkSession
		role, sess, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		c.name, c.session = role, sess
		c.roleARN = "arn:" + c.partition + ":iam::" + c.account + ":role/" + role
		// Session ARNs carry no path; service-linked roles are recognised by
		// the name AWS reserves for them.
		c.serviceLinked = strings.HasPrefix(role, "AWSServiceRoleFor")
	case parts[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		c.kind, c.name = pkFederatedUser, strings.TrimPrefix(res, "federated-user/")
	case parts[2] == "iam" && (strings.HasPrefix(res, "saml-provider/") || strings.HasPrefix(res, "oidc-provider/")):
		c.kind = pkFederated
	default:
		c.kind = pkOther
	}
	return c
}

func isServicePrincipal(p string) bool {
	return strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn") ||
		strings.HasSuffix(p, ".aws.internal") || strings.HasSuffix(p, ".amazon.com")
}

func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}

// grant is how a resource policy's Principal element names the caller, which
// decides whether the grant needs an identity-policy allow too and whether
// boundaries and session policies limit it (IAM User Guide, "Policy
// evaluation logic", "Evaluating identity-based and resource-based policies").
type grant uint8

const (
	grantNone    grant = iota
	grantAccount       // the account (ID or :root): a delegation, identity must allow too
	grantRole          // the role ARN: limited by boundary and session policy
	grantDirect        // the user, the session, the service, anonymous or "*"
)

// cprincipal is a compiled Principal or NotPrincipal element.
type cprincipal struct {
	wildcard  bool
	aws       []string // ARNs and account ids as written
	service   []string // lower-cased
	federated []string
	canonical []string
}

func compilePrincipal(p *Principal) *cprincipal {
	if p == nil {
		return nil
	}
	cp := &cprincipal{wildcard: p.Wildcard, aws: p.AWS, federated: p.Federated, canonical: p.CanonicalUser}
	for _, s := range p.Service {
		cp.service = append(cp.service, strings.ToLower(s))
	}
	return cp
}

// match returns the strongest way the element names the caller.
func (cp *cprincipal) match(c *caller) grant {
	if cp.wildcard {
		return grantDirect
	}
	best := grantNone
	for _, a := range cp.aws {
		best = max(best, matchAWSPrincipal(a, c))
	}
	switch c.kind {
	case pkService, pkFederated:
		// Identity providers such as cognito-identity.amazonaws.com look like
		// service names, so a non-ARN caller is tried against both lists.
		for _, s := range cp.service {
			if strings.EqualFold(s, c.arn) {
				return grantDirect
			}
		}
		for _, f := range cp.federated {
			if strings.EqualFold(f, c.arn) {
				return grantDirect
			}
		}
	case pkOther:
		for _, id := range cp.canonical {
			if id == c.arn {
				return grantDirect
			}
		}
	}
	return best
}

func matchAWSPrincipal(a string, c *caller) grant {
	if a == "*" {
		return grantDirect
	}
	if c.kind == pkAnonymous || c.kind == pkService || c.kind == pkFederated {
		return grantNone
	}
	if a == c.arn {
		if c.kind == pkRole {
			return grantRole // the role ARN names every session, limited by their boundary
		}
		return grantDirect
	}
	if a == c.account || a == c.rootARN {
		if c.kind == pkRoot {
			return grantDirect
		}
		return grantAccount
	}
	if c.kind == pkSession || c.kind == pkRole {
		// A role ARN names the role's sessions. Its path is not in the session
		// ARN, so compare account and role name.
		if parts, ok := splitARN(a); ok && parts[2] == "iam" && parts[4] == c.account &&
			strings.HasPrefix(parts[5], "role/") && lastSegment(parts[5]) == c.name {
			return grantRole
		}
	}
	if c.kind == pkRole {
		// A caller given as a role stands for any of its sessions, so a
		// grant to one session of that role can apply.
		if parts, ok := splitARN(a); ok && parts[2] == "sts" && parts[4] == c.account &&
			strings.HasPrefix(parts[5], "assumed-role/"+c.name+"/") {
			return grantDirect
		}
	}
	return grantNone
}

// excludedBy reports whether a NotPrincipal element excludes the caller:
// it names the caller, its role, or its account. The IAM User Guide ("AWS
// JSON policy elements: NotPrincipal") warns that AWS *may* check the account
// first and deny when only the user is named; that depends on the service,
// so we take the reading that does not hide access (docs/CONFORMANCE.md).
func (cp *cprincipal) excludedBy(c *caller) bool {
	return cp.wildcard || cp.match(c) != grantNone
}
