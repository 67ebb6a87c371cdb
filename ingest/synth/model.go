package synth

import "encoding/json"

// The types below are the JSON shapes of get-account-authorization-details,
// field for field as the AWS CLI prints them (and as ingest/bundle reads them).

type gaadUser struct {
	Path, UserName, UserId, Arn, CreateDate string
	UserPolicyList                          []inlinePolicy `json:",omitempty"`
	GroupList                               []string
	AttachedManagedPolicies                 []attachedPolicy
	PermissionsBoundary                     *permissionsBoundary `json:",omitempty"`
	Tags                                    []tag                `json:",omitempty"`
}

type gaadGroup struct {
	Path, GroupName, GroupId, Arn, CreateDate string
	GroupPolicyList                           []inlinePolicy
	AttachedManagedPolicies                   []attachedPolicy
}

type gaadRole struct {
	Path, RoleName, RoleId, Arn, CreateDate string
	AssumeRolePolicyDocument                json.RawMessage
	InstanceProfileList                     []instanceProfile
	RolePolicyList                          []inlinePolicy
	AttachedManagedPolicies                 []attachedPolicy
	PermissionsBoundary                     *permissionsBoundary `json:",omitempty"`
	Tags                                    []tag
	RoleLastUsed                            roleLastUsed
}

type instanceProfile struct {
	Path, InstanceProfileName, InstanceProfileId, Arn, CreateDate string
	Roles                                                         []profileRole
}

type profileRole struct {
	Path, RoleName, RoleId, Arn, CreateDate string
	AssumeRolePolicyDocument                json.RawMessage
}

type roleLastUsed struct {
	LastUsedDate string `json:",omitempty"`
	Region       string `json:",omitempty"`
}

type gaadPolicy struct {
	PolicyName, PolicyId, Arn, Path, DefaultVersionId string
	AttachmentCount, PermissionsBoundaryUsageCount    int
	IsAttachable                                      bool
	Description                                       string `json:",omitempty"`
	CreateDate, UpdateDate                            string
	PolicyVersionList                                 []policyVersion
}

type policyVersion struct {
	Document         json.RawMessage
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type inlinePolicy struct {
	PolicyName     string
	PolicyDocument json.RawMessage
}

type attachedPolicy struct{ PolicyName, PolicyArn string }

type permissionsBoundary struct{ PermissionsBoundaryType, PermissionsBoundaryArn string }

type tag struct{ Key, Value string }

// resource is an element of resources.json.
type resource struct {
	Arn    string
	Policy string `json:",omitempty"`
	Tags   []tag
}

// principalAccess is an element of last-accessed.json.
type principalAccess struct {
	Arn                  string
	ServicesLastAccessed []serviceAccess
}

type serviceAccess struct {
	ServiceName, ServiceNamespace string
	LastAuthenticated             string `json:",omitempty"`
	LastAuthenticatedEntity       string `json:",omitempty"`
	LastAuthenticatedRegion       string `json:",omitempty"`
	TotalAuthenticatedEntities    int
	TrackedActionsLastAccessed    []actionAccess `json:",omitempty"`
}

type actionAccess struct {
	ActionName         string
	LastAccessedEntity string `json:",omitempty"`
	LastAccessedRegion string `json:",omitempty"`
	LastAccessedTime   string `json:",omitempty"`
}
