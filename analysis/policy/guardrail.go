package policy

import (
	"strings"

	"github.com/permgraph/permgraph/analysis/catalog"
)

// Some answers AWS gives whatever the policies say. They are checked once
// per request, in NewRequest.

// alwaysAllowed reports actions that need no permission at all:
// sts:GetCallerIdentity works even under an explicit deny (STS API
// Reference, GetCallerIdentity: "No permissions are required to perform this
// operation").
func alwaysAllowed(action string) bool {
	return action == "sts:getcalleridentity"
}

// awsOwned reports a change to a resource that AWS owns and no policy can
// grant: AWS managed policies (arn:aws:iam::aws:policy/...), roles AWS
// reserves for IAM Identity Center (path /aws-reserved/), and KMS aliases
// under alias/aws/. Reads of them stay subject to policies.
func awsOwned(pr *prepared) bool {
	if !pr.resIsARN {
		return false
	}
	svc, acct, res := pr.resParts[2], pr.resParts[4], pr.resParts[5]
	owned := svc == "iam" && acct == "aws" ||
		svc == "iam" && strings.HasPrefix(res, "role/aws-reserved/") ||
		svc == "kms" && strings.HasPrefix(res, "alias/aws/")
	if !owned {
		return false
	}
	a, ok := catalog.Embedded().Lookup(pr.action)
	return !ok || a.Level != catalog.List && a.Level != catalog.Read
}
