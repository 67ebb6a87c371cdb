package policy

// Set is every policy that takes part in one request's evaluation, by layer.
// A nil slice means the layer does not exist for this request (no boundary,
// no session policy, no Organizations); a non-nil empty SCP level means a
// level with nothing attached, which allows nothing.
type Set struct {
	Identity []*Compiled // inline, managed and group-inherited policies
	Boundary []*Compiled // the permissions boundary (one document in AWS)
	Session  []*Compiled // session policies passed at AssumeRole/GetFederationToken
	Resource *Compiled   // the resource's policy (trust policy for sts:AssumeRole*, key policy for KMS)
	Endpoint []*Compiled // VPC endpoint policies on the request's path
	// SCPs are levels from the root through each OU to the account; every
	// level must allow.
	SCPs [][]*Compiled
	// RCPs are levels like SCPs. The AWS-managed RCPFullAWSAccess is
	// implicit at every level, so in effect only their denies matter.
	RCPs [][]*Compiled
}
