package analysis

import (
	"errors"
	"fmt"
	"strings"
)

// RevocationKind names what a [Revocation] takes away.
type RevocationKind string

// The revocation kinds, as written before the colon of a revocation string.
const (
	// RevokePolicyAttachment detaches managed policy Object from user,
	// group or role Target.
	RevokePolicyAttachment RevocationKind = "policy-attachment"
	// RevokeInlinePolicy deletes the inline policy named Object from user,
	// group or role Target.
	RevokeInlinePolicy RevocationKind = "inline-policy"
	// RevokeGroupMembership removes user Target from group Object.
	RevokeGroupMembership RevocationKind = "group-membership"
	// RevokeTrustStatement deletes statement Object (a Sid, or the 0-based
	// index of a statement) from role Target's trust policy.
	RevokeTrustStatement RevocationKind = "trust-statement"
	// RevokeBoundary removes user or role Target's permissions boundary:
	// this can only widen access.
	RevokeBoundary RevocationKind = "boundary"
	// RevokeResourcePolicyStatement deletes statement Object (a Sid or an
	// index) from resource Target's policy.
	RevokeResourcePolicyStatement RevocationKind = "resource-policy-statement"
)

// revocationKinds lists the kinds with the names of their two fields (one
// for a boundary).
var revocationKinds = []struct {
	kind   RevocationKind
	fields []string
}{
	{RevokePolicyAttachment, []string{"PRINCIPAL_ARN", "POLICY_ARN"}},
	{RevokeInlinePolicy, []string{"PRINCIPAL_ARN", "POLICY_NAME"}},
	{RevokeGroupMembership, []string{"USER_ARN", "GROUP_ARN"}},
	{RevokeTrustStatement, []string{"ROLE_ARN", "SID"}},
	{RevokeBoundary, []string{"PRINCIPAL_ARN"}},
	{RevokeResourcePolicyStatement, []string{"RESOURCE_ARN", "SID"}},
}

// Revocation is one grant taken away in a counterfactual snapshot: a policy
// detached, an inline policy deleted, a group membership removed, a trust or
// resource policy statement deleted, a boundary removed. Its text form,
// read by [ParseRevocation], is "KIND:TARGET,OBJECT" ("boundary:TARGET").
type Revocation struct {
	Kind   RevocationKind
	Target string // the principal, role or resource ARN losing something
	Object string // policy ARN, inline policy name, group ARN, Sid or index; "" for a boundary
}

// ErrInvalidRevocation is returned by [ParseRevocation] for a string that is
// not a revocation.
var ErrInvalidRevocation = errors.New("analysis: invalid revocation")

// ErrRevocationTarget is returned by [Apply] for a revocation naming what
// the snapshot does not hold: an unknown principal, policy, group or
// statement, or a policy that is not attached.
var ErrRevocationTarget = errors.New("analysis: revocation names nothing in the snapshot")

// ParseRevocation reads "KIND:TARGET,OBJECT", for example
// "policy-attachment:arn:aws:iam::111122223333:user/alice,arn:aws:iam::aws:policy/ReadOnlyAccess"
// or "boundary:arn:aws:iam::111122223333:role/deploy". The last comma
// separates the fields: ARNs hold no comma. Errors wrap
// [ErrInvalidRevocation] and name the kind and field at fault.
func ParseRevocation(s string) (Revocation, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Revocation{}, fmt.Errorf("%w %q: want KIND:TARGET[,OBJECT] with KIND one of %s", ErrInvalidRevocation, s, kindNames())
	}
	for _, k := range revocationKinds {
		if RevocationKind(kind) != k.kind {
			continue
		}
		r := Revocation{Kind: k.kind, Target: rest}
		if len(k.fields) == 2 {
			i := strings.LastIndexByte(rest, ',')
			if i < 0 {
				return Revocation{}, fmt.Errorf("%w %q: %s takes %s,%s", ErrInvalidRevocation, s, kind, k.fields[0], k.fields[1])
			}
			r.Target, r.Object = strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i+1:])
			if r.Object == "" {
				return Revocation{}, fmt.Errorf("%w %q: %s: empty %s", ErrInvalidRevocation, s, kind, k.fields[1])
			}
		} else if strings.Contains(rest, ",") {
			return Revocation{}, fmt.Errorf("%w %q: %s takes only %s", ErrInvalidRevocation, s, kind, k.fields[0])
		}
		r.Target = strings.TrimSpace(r.Target)
		if r.Target == "" {
			return Revocation{}, fmt.Errorf("%w %q: %s: empty %s", ErrInvalidRevocation, s, kind, k.fields[0])
		}
		return r, nil
	}
	return Revocation{}, fmt.Errorf("%w %q: unknown kind %q; want one of %s", ErrInvalidRevocation, s, kind, kindNames())
}

// String returns r in the form ParseRevocation reads.
func (r Revocation) String() string {
	if r.Object == "" {
		return string(r.Kind) + ":" + r.Target
	}
	return string(r.Kind) + ":" + r.Target + "," + r.Object
}

// MarshalText writes r as [Revocation.String], so that JSON holds
// revocations as strings.
func (r Revocation) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads r with [ParseRevocation].
func (r *Revocation) UnmarshalText(b []byte) error {
	v, err := ParseRevocation(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

func kindNames() string {
	names := make([]string, len(revocationKinds))
	for i, k := range revocationKinds {
		names[i] = string(k.kind)
	}
	return strings.Join(names, ", ")
}
