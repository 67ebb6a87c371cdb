package policy

import (
	"errors"
	"fmt"
	"strings"
)

// Request is one authorization request: who, what, on which resource, with
// which context. Build it with [NewRequest] so that the keys AWS derives from
// the principal and resource (aws:PrincipalArn, aws:PrincipalAccount, ...)
// are filled in.
type Request struct {
	// Principal is the caller: an IAM user or role ARN, an assumed-role or
	// federated-user session ARN, an account root ARN, a service principal
	// name such as "lambda.amazonaws.com", or "" for an anonymous request.
	Principal string
	Action    string // "service:Action", any case
	Resource  string // an ARN, or "*"
	// ResourceAccount is the account that owns the resource; "" means the
	// account in the resource ARN, and when that is empty too, the
	// principal's account.
	ResourceAccount string
	// ManagementAccount is the organization's management account, whose
	// principals SCPs do not restrict. "" when unknown.
	ManagementAccount string
	Context           Context

	prep prepared
}

// Context holds a request's condition keys. Keys are case-insensitive.
// When Complete is false, a key that is not present is unknown, so a
// condition on it makes the result conditional; when Complete is true a
// missing key is absent, as in a real AWS request.
type Context struct {
	values   map[string][]string // lower-cased key → values
	Complete bool
}

// Set adds or replaces key with the given values.
func (c *Context) Set(key string, values ...string) {
	if c.values == nil {
		c.values = make(map[string][]string)
	}
	c.values[strings.ToLower(key)] = values
}

// Lookup returns the values of key (any case) and whether it is present.
// The hot path calls lookupLower with keys lower-cased at compile time.
func (c *Context) Lookup(key string) ([]string, bool) {
	return c.lookupLower(strings.ToLower(key))
}

func (c *Context) lookupLower(key string) ([]string, bool) {
	v, ok := c.values[key]
	return v, ok
}

// Keys returns the lower-cased keys present, in no particular order.
func (c *Context) Keys() []string {
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	return keys
}

// prepared is what NewRequest derives once so that evaluation does not
// allocate: the decoded caller, the lower-cased action and service, and the
// resource ARN cut into segments.
type prepared struct {
	ok          bool
	call        caller
	action      string // lower-cased
	service     string // lower-cased service prefix
	resParts    [6]string
	resIsARN    bool
	resAccount  string
	rcpService  bool // the action's service is one RCPs apply to
	trustPolicy bool // sts:AssumeRole* on a role: the trust policy is required
	keyPolicy   bool // a KMS key: the key policy is required
	always      bool // allowed whatever the policies say
	derived     derivedSet
	owned       bool // a change to an AWS-owned resource: never allowed
}

// ErrInvalidRequest is returned by NewRequest for a request AWS could not
// have made.
var ErrInvalidRequest = errors.New("policy: invalid request")

// NewRequest validates r, derives what evaluation needs, and fills in the
// context keys AWS sets from the principal and resource (aws:PrincipalArn,
// aws:PrincipalAccount, aws:username, aws:PrincipalIsAWSService,
// aws:PrincipalServiceName, aws:ResourceAccount) unless the caller already
// supplied them.
func NewRequest(r Request) (*Request, error) {
	svc, name, ok := strings.Cut(r.Action, ":")
	if !ok || svc == "" || name == "" || strings.ContainsAny(r.Action, " *?") {
		return nil, fmt.Errorf("%w: action %q is not of the form service:Action", ErrInvalidRequest, r.Action)
	}
	if r.Resource == "" {
		return nil, fmt.Errorf("%w: resource is empty (use \"*\" for actions without a resource)", ErrInvalidRequest)
	}
	pr := &r.prep
	pr.call = parseCaller(r.Principal)
	pr.action = strings.ToLower(r.Action)
	pr.service = strings.ToLower(svc)
	pr.resParts, pr.resIsARN = splitARN(r.Resource)
	pr.resIsARN = pr.resIsARN && pr.resParts[0] == "arn"
	pr.resAccount = r.ResourceAccount
	if pr.resAccount == "" && pr.resIsARN {
		pr.resAccount = pr.resParts[4]
	}
	if pr.resAccount == "" {
		pr.resAccount = pr.call.account
	}
	pr.rcpService = rcpSupported(pr.service)
	// The trust policy decides only when the resource is a role; on "*" the
	// question is what the identity side allows.
	isRole := pr.resIsARN && pr.resParts[2] == "iam" && strings.HasPrefix(pr.resParts[5], "role/")
	pr.trustPolicy = isRole && (strings.HasPrefix(pr.action, "sts:assumerole") ||
		pr.action == "sts:tagsession" || pr.action == "sts:setsourceidentity" || pr.action == "sts:setcontext")
	pr.keyPolicy = pr.service == "kms" && pr.resIsARN && pr.resParts[2] == "kms" && strings.HasPrefix(pr.resParts[5], "key/")
	pr.always = alwaysAllowed(pr.action)
	pr.owned = awsOwned(pr)
	r.deriveKeys()
	pr.ok = true
	return &r, nil
}

// derivedKey is a context key AWS sets from the principal or resource. They
// are kept beside the caller's context, not copied into it, so that
// preparing a request does not copy the context map.
type derivedKey struct {
	key string // lower-cased
	val [1]string
}

// derivedSet holds at most six (principal type, service name or account,
// ARN, user name, resource account).
type derivedSet struct {
	n    int
	keys [6]derivedKey
}

func (d *derivedSet) add(key, val string) {
	d.keys[d.n] = derivedKey{key: key, val: [1]string{val}}
	d.n++
}

func (r *Request) deriveKeys() {
	c := &r.prep.call
	d := &r.prep.derived
	*d = derivedSet{}
	switch c.kind {
	case pkAnonymous:
		return
	case pkService:
		d.add("aws:principalisawsservice", "true")
		d.add("aws:principalservicename", c.arn)
	case pkUser, pkRole, pkSession, pkRoot, pkFederatedUser:
		d.add("aws:principalisawsservice", "false")
		d.add("aws:principalaccount", c.account)
		arn := c.arn
		if c.kind == pkSession {
			arn = c.roleARN // aws:PrincipalArn of a session is its role's ARN
		}
		d.add("aws:principalarn", arn)
		if c.kind == pkUser {
			d.add("aws:username", c.name)
		}
	}
	if r.prep.resAccount != "" {
		d.add("aws:resourceaccount", r.prep.resAccount)
	}
}

// lookup finds a lower-cased key in the caller's context, then among the
// derived keys: what the caller supplied wins.
func (r *Request) lookup(key string) ([]string, bool) {
	if v, ok := r.Context.values[key]; ok {
		return v, true
	}
	d := &r.prep.derived
	for i := 0; i < d.n; i++ {
		if d.keys[i].key == key {
			return d.keys[i].val[:], true
		}
	}
	return nil, false
}
