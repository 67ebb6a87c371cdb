package bundle

import (
	"fmt"
	"io"
	"time"
)

// GAAD is the output of `aws iam get-account-authorization-details`, with
// every policy document parsed. Field names are AWS's.
type GAAD struct {
	UserDetailList  []User
	GroupDetailList []Group
	RoleDetailList  []Role
	Policies        []ManagedPolicy
	IsTruncated     bool
	Marker          string
	// Warnings are the problems met that did not stop decoding, in order,
	// each starting with the file name.
	Warnings []string `json:",omitempty"`
}

// User is an element of UserDetailList.
type User struct {
	Path, UserName, UserId, Arn string
	CreateDate                  time.Time
	UserPolicyList              []InlinePolicy
	GroupList                   []string
	AttachedManagedPolicies     []AttachedPolicy
	PermissionsBoundary         *PermissionsBoundary
	Tags                        []Tag
}

// Group is an element of GroupDetailList.
type Group struct {
	Path, GroupName, GroupId, Arn string
	CreateDate                    time.Time
	GroupPolicyList               []InlinePolicy
	AttachedManagedPolicies       []AttachedPolicy
}

// Role is an element of RoleDetailList.
type Role struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  time.Time
	AssumeRolePolicyDocument    *Document
	InstanceProfileList         []InstanceProfile
	RolePolicyList              []InlinePolicy
	AttachedManagedPolicies     []AttachedPolicy
	PermissionsBoundary         *PermissionsBoundary
	Tags                        []Tag
	RoleLastUsed                *RoleLastUsed
}

// InstanceProfile is an element of a role's InstanceProfileList.
type InstanceProfile struct {
	Path, InstanceProfileName, InstanceProfileId, Arn string
	CreateDate                                        time.Time
	Roles                                             []ProfileRole
	Tags                                              []Tag
}

// ProfileRole is a role as an instance profile lists it (the IAM Role type).
type ProfileRole struct {
	Path, RoleName, RoleId, Arn, Description string
	CreateDate                               time.Time
	AssumeRolePolicyDocument                 *Document
	MaxSessionDuration                       int
	PermissionsBoundary                      *PermissionsBoundary
	Tags                                     []Tag
	RoleLastUsed                             *RoleLastUsed
}

// RoleLastUsed says when and where a role was last used; zero when never.
type RoleLastUsed struct {
	LastUsedDate time.Time
	Region       string
}

// ManagedPolicy is an element of Policies: a customer or AWS managed policy
// attached somewhere in the account, with its versions.
type ManagedPolicy struct {
	PolicyName, PolicyId, Arn, Path, DefaultVersionId, Description string
	AttachmentCount, PermissionsBoundaryUsageCount                 int
	IsAttachable                                                   bool
	CreateDate, UpdateDate                                         time.Time
	PolicyVersionList                                              []PolicyVersion
}

// DefaultVersion returns the version marked IsDefaultVersion, or nil.
func (p *ManagedPolicy) DefaultVersion() *PolicyVersion {
	for i := range p.PolicyVersionList {
		if p.PolicyVersionList[i].IsDefaultVersion {
			return &p.PolicyVersionList[i]
		}
	}
	return nil
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         *Document
	VersionId        string
	IsDefaultVersion bool
	CreateDate       time.Time
}

// InlinePolicy is an inline policy of a user, group or role.
type InlinePolicy struct {
	PolicyName     string
	PolicyDocument *Document
}

// AttachedPolicy names a managed policy attached to a principal.
type AttachedPolicy struct{ PolicyName, PolicyArn string }

// PermissionsBoundary is a principal's permissions boundary.
type PermissionsBoundary struct{ PermissionsBoundaryType, PermissionsBoundaryArn string }

// Tag is an IAM or Organizations tag.
type Tag struct{ Key, Value string }

// DecodeGAAD decodes get-account-authorization-details output from r,
// strictly (see [Options]). path names the file in errors and warnings.
func DecodeGAAD(path string, r io.Reader) (*GAAD, error) {
	return Options{}.DecodeGAAD(path, r)
}

// DecodeGAAD is [DecodeGAAD] with these options.
func (o Options) DecodeGAAD(path string, r io.Reader) (*GAAD, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d := &decoder{file: path, opts: o}
	f, err := d.root(data)
	if err != nil {
		return nil, err
	}
	g := &GAAD{
		UserDetailList:  entries(f, "UserDetailList", true, readUser),
		GroupDetailList: entries(f, "GroupDetailList", true, readGroup),
		RoleDetailList:  entries(f, "RoleDetailList", true, readRole),
		Policies:        entries(f, "Policies", true, readManagedPolicy),
	}
	f.boolean("IsTruncated", &g.IsTruncated)
	f.str("Marker", &g.Marker)
	if err := f.done(); err != nil {
		return nil, err
	}
	if g.IsTruncated {
		d.warnf("", "truncated output (IsTruncated is true); re-run without pagination limits")
	}
	g.Warnings = d.warnings
	return g, nil
}

func readUser(f *fields, u *User) {
	f.required("UserName", "Arn")
	f.str("Path", &u.Path)
	f.str("UserName", &u.UserName)
	f.str("UserId", &u.UserId)
	f.str("Arn", &u.Arn)
	f.date("CreateDate", &u.CreateDate)
	u.UserPolicyList = entries(f, "UserPolicyList", false, readInline)
	f.strs("GroupList", &u.GroupList)
	u.AttachedManagedPolicies = attached(f, "AttachedManagedPolicies")
	u.PermissionsBoundary = boundary(f)
	u.Tags = entries(f, "Tags", false, readTag)
}

func readGroup(f *fields, g *Group) {
	f.required("GroupName", "Arn")
	f.str("Path", &g.Path)
	f.str("GroupName", &g.GroupName)
	f.str("GroupId", &g.GroupId)
	f.str("Arn", &g.Arn)
	f.date("CreateDate", &g.CreateDate)
	g.GroupPolicyList = entries(f, "GroupPolicyList", false, readInline)
	g.AttachedManagedPolicies = attached(f, "AttachedManagedPolicies")
}

func readRole(f *fields, r *Role) {
	f.required("RoleName", "Arn", "AssumeRolePolicyDocument")
	f.str("Path", &r.Path)
	f.str("RoleName", &r.RoleName)
	f.str("RoleId", &r.RoleId)
	f.str("Arn", &r.Arn)
	f.date("CreateDate", &r.CreateDate)
	f.doc("AssumeRolePolicyDocument", &r.AssumeRolePolicyDocument)
	r.InstanceProfileList = entries(f, "InstanceProfileList", false, readInstanceProfile)
	r.RolePolicyList = entries(f, "RolePolicyList", false, readInline)
	r.AttachedManagedPolicies = attached(f, "AttachedManagedPolicies")
	r.PermissionsBoundary = boundary(f)
	r.Tags = entries(f, "Tags", false, readTag)
	r.RoleLastUsed = lastUsed(f)
}

func readInstanceProfile(f *fields, p *InstanceProfile) {
	f.required("InstanceProfileName", "Arn")
	f.str("Path", &p.Path)
	f.str("InstanceProfileName", &p.InstanceProfileName)
	f.str("InstanceProfileId", &p.InstanceProfileId)
	f.str("Arn", &p.Arn)
	f.date("CreateDate", &p.CreateDate)
	p.Roles = entries(f, "Roles", false, readProfileRole)
	p.Tags = entries(f, "Tags", false, readTag)
}

func readProfileRole(f *fields, r *ProfileRole) {
	f.required("RoleName", "Arn")
	f.str("Path", &r.Path)
	f.str("RoleName", &r.RoleName)
	f.str("RoleId", &r.RoleId)
	f.str("Arn", &r.Arn)
	f.str("Description", &r.Description)
	f.date("CreateDate", &r.CreateDate)
	f.doc("AssumeRolePolicyDocument", &r.AssumeRolePolicyDocument)
	f.integer("MaxSessionDuration", &r.MaxSessionDuration)
	r.PermissionsBoundary = boundary(f)
	r.Tags = entries(f, "Tags", false, readTag)
	r.RoleLastUsed = lastUsed(f)
}

func readManagedPolicy(f *fields, p *ManagedPolicy) {
	f.required("PolicyName", "Arn")
	f.str("PolicyName", &p.PolicyName)
	f.str("PolicyId", &p.PolicyId)
	f.str("Arn", &p.Arn)
	f.str("Path", &p.Path)
	f.str("DefaultVersionId", &p.DefaultVersionId)
	f.str("Description", &p.Description)
	f.integer("AttachmentCount", &p.AttachmentCount)
	f.integer("PermissionsBoundaryUsageCount", &p.PermissionsBoundaryUsageCount)
	f.boolean("IsAttachable", &p.IsAttachable)
	f.date("CreateDate", &p.CreateDate)
	f.date("UpdateDate", &p.UpdateDate)
	p.PolicyVersionList = entries(f, "PolicyVersionList", false, func(f *fields, v *PolicyVersion) {
		f.required("Document")
		f.doc("Document", &v.Document)
		f.str("VersionId", &v.VersionId)
		f.boolean("IsDefaultVersion", &v.IsDefaultVersion)
		f.date("CreateDate", &v.CreateDate)
	})
}

func readInline(f *fields, p *InlinePolicy) {
	f.required("PolicyName", "PolicyDocument")
	f.str("PolicyName", &p.PolicyName)
	f.doc("PolicyDocument", &p.PolicyDocument)
}

func readTag(f *fields, t *Tag) {
	f.required("Key")
	f.str("Key", &t.Key)
	f.str("Value", &t.Value)
}

func readAttached(f *fields, a *AttachedPolicy) {
	f.required("PolicyArn")
	f.str("PolicyName", &a.PolicyName)
	f.str("PolicyArn", &a.PolicyArn)
}

// attached reads AttachedManagedPolicies, accepting a single object as a
// one-element list (with a warning), as AWS's own CLI example has it.
func attached(f *fields, key string) []AttachedPolicy {
	raw, ok := f.m[key]
	if !ok || kind(raw) != "object" {
		return entries(f, key, false, readAttached)
	}
	f.seen[key] = true
	f.d.warnf(f.sub(key), "an object, not a list: read as a one-element list")
	var a AttachedPolicy
	g := f.d.object(f.sub(key), raw)
	readAttached(g, &a)
	f.fail(g.done())
	return []AttachedPolicy{a}
}

func boundary(f *fields) *PermissionsBoundary {
	var b *PermissionsBoundary
	f.obj("PermissionsBoundary", func(g *fields) {
		b = &PermissionsBoundary{}
		g.required("PermissionsBoundaryArn")
		g.str("PermissionsBoundaryType", &b.PermissionsBoundaryType)
		g.str("PermissionsBoundaryArn", &b.PermissionsBoundaryArn)
	})
	return b
}

// lastUsed reads RoleLastUsed; an empty object (never used) reads as nil.
func lastUsed(f *fields) *RoleLastUsed {
	var u RoleLastUsed
	f.obj("RoleLastUsed", func(g *fields) {
		g.date("LastUsedDate", &u.LastUsedDate)
		g.str("Region", &u.Region)
	})
	if u == (RoleLastUsed{}) {
		return nil
	}
	return &u
}
