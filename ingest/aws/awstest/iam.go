package awstest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/permgraph/permgraph/ingest/bundle"
)

const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

func (s *Server) sts(q *req) bool {
	switch q.op {
	case "GetCallerIdentity":
		s.queryResult(q, stsNS, struct{ Arn, UserId, Account string }{
			Arn: "arn:aws:iam::" + q.account + ":user/permgraph", UserId: "AIDAPERMGRAPH", Account: q.account})
	case "AssumeRole":
		arn := q.str("RoleArn")
		parts := strings.SplitN(arn, ":", 6)
		target := ""
		if len(parts) == 6 {
			target = parts[4]
		}
		if s.denied(target) {
			s.apiError(q, http.StatusForbidden, "AccessDenied",
				fmt.Sprintf("User: arn:aws:iam::%s:user/permgraph is not authorized to perform: sts:AssumeRole on resource: %s", q.account, arn))
			return true
		}
		type creds struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		type user struct{ Arn, AssumedRoleId string }
		s.queryResult(q, stsNS, struct {
			Credentials     creds
			AssumedRoleUser user
		}{
			creds{"ASIA" + target, "secret", "token", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
			user{arn, "AROAPERMGRAPH:" + q.str("RoleSessionName")},
		})
	default:
		return false
	}
	return true
}

// denied reports whether AssumeRole into account fails: denied by the
// options, or an account the bundle has no directory for.
func (s *Server) denied(account string) bool {
	for _, id := range s.opts.DenyAssumeRole {
		if id == account {
			return true
		}
	}
	return s.b.Accounts[account] == nil
}

func (s *Server) iam(q *req) bool {
	a := s.b.Accounts[q.account]
	if a == nil {
		s.t.Errorf("awstest: iam:%s for account %q, which the bundle does not have", q.op, q.account)
		s.apiError(q, http.StatusForbidden, "AccessDenied", "no such account")
		return true
	}
	switch q.op {
	case "GetAccountAuthorizationDetails":
		s.queryResult(q, iamNS, s.gaadPage(a.AuthorizationDetails, q.str("Marker")))
	case "GenerateCredentialReport":
		s.mu.Lock()
		state := "STARTED"
		if s.reports[q.account] {
			state = "COMPLETE"
		}
		s.reports[q.account] = true
		s.mu.Unlock()
		s.queryResult(q, iamNS, struct{ State, Description string }{state, "report " + state})
	case "GetCredentialReport":
		data, err := s.credentialReport(q.account)
		if err != nil {
			s.apiError(q, http.StatusGone, "ReportNotPresent", "no report")
			return true
		}
		s.queryResult(q, iamNS, struct{ Content, ReportFormat, GeneratedTime string }{
			base64.StdEncoding.EncodeToString(data), "text/csv", "2026-11-23T00:00:00Z"})
	case "GenerateServiceLastAccessedDetails":
		if g := q.str("Granularity"); g != "ACTION_LEVEL" {
			s.t.Errorf("awstest: GenerateServiceLastAccessedDetails Granularity %q, want ACTION_LEVEL", g)
		}
		s.mu.Lock()
		id := fmt.Sprintf("job-%d", len(s.jobs)+1)
		s.jobs[id] = &job{account: q.account, arn: q.str("Arn")}
		s.mu.Unlock()
		s.queryResult(q, iamNS, struct{ JobId string }{id})
	case "GetServiceLastAccessedDetails":
		s.lastAccessed(q, a)
	default:
		return false
	}
	return true
}

// The XML shapes of GetAccountAuthorizationDetails.
type (
	xGAAD struct {
		UserDetailList  []xUser          `xml:"UserDetailList>member"`
		GroupDetailList []xGroup         `xml:"GroupDetailList>member"`
		RoleDetailList  []xRole          `xml:"RoleDetailList>member"`
		Policies        []xManagedPolicy `xml:"Policies>member"`
		IsTruncated     bool
		Marker          string `xml:",omitempty"`
	}
	xUser struct {
		Path, UserName, UserId, Arn string
		CreateDate                  string      `xml:",omitempty"`
		UserPolicyList              []xInline   `xml:"UserPolicyList>member"`
		GroupList                   []string    `xml:"GroupList>member"`
		AttachedManagedPolicies     []xAttached `xml:"AttachedManagedPolicies>member"`
		PermissionsBoundary         *xBoundary
		Tags                        []xTag `xml:"Tags>member"`
	}
	xGroup struct {
		Path, GroupName, GroupId, Arn string
		CreateDate                    string      `xml:",omitempty"`
		GroupPolicyList               []xInline   `xml:"GroupPolicyList>member"`
		AttachedManagedPolicies       []xAttached `xml:"AttachedManagedPolicies>member"`
	}
	xRole struct {
		Path, RoleName, RoleId, Arn string
		CreateDate                  string      `xml:",omitempty"`
		AssumeRolePolicyDocument    string      `xml:",omitempty"`
		InstanceProfileList         []xProfile  `xml:"InstanceProfileList>member"`
		RolePolicyList              []xInline   `xml:"RolePolicyList>member"`
		AttachedManagedPolicies     []xAttached `xml:"AttachedManagedPolicies>member"`
		PermissionsBoundary         *xBoundary
		Tags                        []xTag `xml:"Tags>member"`
		RoleLastUsed                *xLastUsed
	}
	xProfile struct {
		Path, InstanceProfileName, InstanceProfileId, Arn string
		CreateDate                                        string         `xml:",omitempty"`
		Roles                                             []xProfileRole `xml:"Roles>member"`
		Tags                                              []xTag         `xml:"Tags>member"`
	}
	xProfileRole struct {
		Path, RoleName, RoleId, Arn string
		Description                 string `xml:",omitempty"`
		CreateDate                  string `xml:",omitempty"`
		AssumeRolePolicyDocument    string `xml:",omitempty"`
		MaxSessionDuration          int    `xml:",omitempty"`
		PermissionsBoundary         *xBoundary
		Tags                        []xTag `xml:"Tags>member"`
		RoleLastUsed                *xLastUsed
	}
	xLastUsed struct {
		LastUsedDate string `xml:",omitempty"`
		Region       string `xml:",omitempty"`
	}
	xManagedPolicy struct {
		PolicyName, PolicyId, Arn, Path, DefaultVersionId string
		AttachmentCount, PermissionsBoundaryUsageCount    int
		IsAttachable                                      bool
		Description                                       string     `xml:",omitempty"`
		CreateDate                                        string     `xml:",omitempty"`
		UpdateDate                                        string     `xml:",omitempty"`
		PolicyVersionList                                 []xVersion `xml:"PolicyVersionList>member"`
	}
	xVersion struct {
		Document         string `xml:",omitempty"`
		VersionId        string
		IsDefaultVersion bool
		CreateDate       string `xml:",omitempty"`
	}
	xInline   struct{ PolicyName, PolicyDocument string }
	xAttached struct{ PolicyName, PolicyArn string }
	xBoundary struct{ PermissionsBoundaryType, PermissionsBoundaryArn string }
	xTag      struct{ Key, Value string }
)

// gaadPage returns the page at marker: users, groups, roles and policies
// counted together, PageSize entities a page, as IAM's MaxItems does.
func (s *Server) gaadPage(g *bundle.GAAD, marker string) xGAAD {
	nu, ng, nr := len(g.UserDetailList), len(g.GroupDetailList), len(g.RoleDetailList)
	n := nu + ng + nr + len(g.Policies)
	from, to, next := page(n, marker, s.opts.PageSize)
	out := xGAAD{IsTruncated: next != "", Marker: next}
	for i := from; i < to; i++ {
		switch {
		case i < nu:
			out.UserDetailList = append(out.UserDetailList, xmlUser(&g.UserDetailList[i]))
		case i < nu+ng:
			out.GroupDetailList = append(out.GroupDetailList, xmlGroup(&g.GroupDetailList[i-nu]))
		case i < nu+ng+nr:
			out.RoleDetailList = append(out.RoleDetailList, xmlRole(&g.RoleDetailList[i-nu-ng]))
		default:
			out.Policies = append(out.Policies, xmlPolicy(&g.Policies[i-nu-ng-nr]))
		}
	}
	return out
}

func xmlUser(u *bundle.User) xUser {
	return xUser{Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: date(u.CreateDate),
		UserPolicyList: inline(u.UserPolicyList), GroupList: u.GroupList, AttachedManagedPolicies: attached(u.AttachedManagedPolicies),
		PermissionsBoundary: boundary(u.PermissionsBoundary), Tags: tags(u.Tags)}
}

func xmlGroup(g *bundle.Group) xGroup {
	return xGroup{Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: date(g.CreateDate),
		GroupPolicyList: inline(g.GroupPolicyList), AttachedManagedPolicies: attached(g.AttachedManagedPolicies)}
}

func xmlRole(r *bundle.Role) xRole {
	x := xRole{Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: date(r.CreateDate),
		AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument), RolePolicyList: inline(r.RolePolicyList),
		AttachedManagedPolicies: attached(r.AttachedManagedPolicies), PermissionsBoundary: boundary(r.PermissionsBoundary),
		Tags: tags(r.Tags), RoleLastUsed: lastUsed(r.RoleLastUsed)}
	for _, p := range r.InstanceProfileList {
		xp := xProfile{Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileId: p.InstanceProfileId,
			Arn: p.Arn, CreateDate: date(p.CreateDate), Tags: tags(p.Tags)}
		for _, pr := range p.Roles {
			xp.Roles = append(xp.Roles, xProfileRole{Path: pr.Path, RoleName: pr.RoleName, RoleId: pr.RoleId, Arn: pr.Arn,
				Description: pr.Description, CreateDate: date(pr.CreateDate), AssumeRolePolicyDocument: encodeDoc(pr.AssumeRolePolicyDocument),
				MaxSessionDuration: pr.MaxSessionDuration, PermissionsBoundary: boundary(pr.PermissionsBoundary), Tags: tags(pr.Tags),
				RoleLastUsed: lastUsed(pr.RoleLastUsed)})
		}
		x.InstanceProfileList = append(x.InstanceProfileList, xp)
	}
	return x
}

func xmlPolicy(p *bundle.ManagedPolicy) xManagedPolicy {
	x := xManagedPolicy{PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path, DefaultVersionId: p.DefaultVersionId,
		AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount, IsAttachable: p.IsAttachable,
		Description: p.Description, CreateDate: date(p.CreateDate), UpdateDate: date(p.UpdateDate)}
	for _, v := range p.PolicyVersionList {
		x.PolicyVersionList = append(x.PolicyVersionList, xVersion{Document: encodeDoc(v.Document), VersionId: v.VersionId,
			IsDefaultVersion: v.IsDefaultVersion, CreateDate: date(v.CreateDate)})
	}
	return x
}

func inline(ps []bundle.InlinePolicy) []xInline {
	var out []xInline
	for _, p := range ps {
		out = append(out, xInline{p.PolicyName, encodeDoc(p.PolicyDocument)})
	}
	return out
}

func attached(ps []bundle.AttachedPolicy) []xAttached {
	var out []xAttached
	for _, p := range ps {
		out = append(out, xAttached{p.PolicyName, p.PolicyArn})
	}
	return out
}

func boundary(b *bundle.PermissionsBoundary) *xBoundary {
	if b == nil {
		return nil
	}
	return &xBoundary{b.PermissionsBoundaryType, b.PermissionsBoundaryArn}
}

func tags(ts []bundle.Tag) []xTag {
	var out []xTag
	for _, t := range ts {
		out = append(out, xTag{t.Key, t.Value})
	}
	return out
}

func lastUsed(u *bundle.RoleLastUsed) *xLastUsed {
	if u == nil {
		return nil
	}
	return &xLastUsed{date(u.LastUsedDate), u.Region}
}

// encodeDoc URL-encodes a document as IAM does (RFC 3986).
func encodeDoc(d *bundle.Document) string {
	if d == nil {
		return ""
	}
	return strings.ReplaceAll(url.QueryEscape(d.Raw), "+", "%20")
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// The XML shapes of GetServiceLastAccessedDetails.
type (
	xLastAccessed struct {
		JobStatus            string
		JobType              string `xml:",omitempty"`
		JobCreationDate      string
		JobCompletionDate    string           `xml:",omitempty"`
		ServicesLastAccessed []xServiceAccess `xml:"ServicesLastAccessed>member"`
		IsTruncated          bool
		Marker               string `xml:",omitempty"`
	}
	xServiceAccess struct {
		ServiceName                string
		ServiceNamespace           string
		LastAuthenticated          string `xml:",omitempty"`
		LastAuthenticatedEntity    string `xml:",omitempty"`
		LastAuthenticatedRegion    string `xml:",omitempty"`
		TotalAuthenticatedEntities int
		TrackedActionsLastAccessed []xActionAccess `xml:"TrackedActionsLastAccessed>member"`
	}
	xActionAccess struct {
		ActionName         string
		LastAccessedEntity string `xml:",omitempty"`
		LastAccessedRegion string `xml:",omitempty"`
		LastAccessedTime   string `xml:",omitempty"`
	}
)

func (s *Server) lastAccessed(q *req, a *bundle.Account) {
	s.mu.Lock()
	j := s.jobs[q.str("JobId")]
	var polls int
	if j != nil {
		j.polls++
		polls = j.polls
	}
	s.mu.Unlock()
	if j == nil || j.account != q.account {
		s.apiError(q, http.StatusNotFound, "NoSuchEntity", "no job "+q.str("JobId"))
		return
	}
	out := xLastAccessed{JobStatus: "IN_PROGRESS", JobCreationDate: "2026-11-23T00:00:00Z"}
	if polls <= s.opts.JobPolls {
		s.queryResult(q, iamNS, out)
		return
	}
	out.JobStatus, out.JobType, out.JobCompletionDate = "COMPLETED", "ACTION_LEVEL", "2026-11-23T00:00:01Z"
	var svcs []bundle.ServiceLastAccessed
	for _, p := range a.LastAccessed {
		if p.Arn == j.arn {
			svcs = p.ServicesLastAccessed
		}
	}
	from, to, next := page(len(svcs), q.str("Marker"), s.opts.PageSize)
	out.IsTruncated, out.Marker = next != "", next
	for _, sv := range svcs[from:to] {
		x := xServiceAccess{ServiceName: sv.ServiceName, ServiceNamespace: sv.ServiceNamespace,
			LastAuthenticated: date(sv.LastAuthenticated), LastAuthenticatedEntity: sv.LastAuthenticatedEntity,
			LastAuthenticatedRegion: sv.LastAuthenticatedRegion, TotalAuthenticatedEntities: sv.TotalAuthenticatedEntities}
		for _, ac := range sv.TrackedActionsLastAccessed {
			x.TrackedActionsLastAccessed = append(x.TrackedActionsLastAccessed, xActionAccess{ActionName: ac.ActionName,
				LastAccessedEntity: ac.LastAccessedEntity, LastAccessedRegion: ac.LastAccessedRegion, LastAccessedTime: date(ac.LastAccessedTime)})
		}
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, x)
	}
	s.queryResult(q, iamNS, out)
}
