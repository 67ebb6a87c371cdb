package ingest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// accountMapper maps one account of the bundle.
type accountMapper struct {
	*mapper
	a      *bundle.Account
	groups map[string]string // group name → node ID
	creds  map[string]*bundle.Credential
	access map[string][]bundle.ServiceLastAccessed
}

func (m *mapper) mapAccount(a *bundle.Account) {
	am := &accountMapper{mapper: m, a: a,
		groups: map[string]string{},
		creds:  map[string]*bundle.Credential{},
		access: map[string][]bundle.ServiceLastAccessed{},
	}
	for i := range a.CredentialReport {
		am.creds[a.CredentialReport[i].Arn] = &a.CredentialReport[i]
	}
	for _, p := range a.LastAccessed {
		am.access[p.Arn] = p.ServicesLastAccessed
	}
	g := a.AuthorizationDetails
	for i := range g.Policies {
		am.managedPolicy(&g.Policies[i])
	}
	for i := range g.GroupDetailList {
		am.group(&g.GroupDetailList[i])
	}
	for i := range g.UserDetailList {
		am.user(&g.UserDetailList[i])
	}
	for i := range g.RoleDetailList {
		am.role(&g.RoleDetailList[i])
	}
	for i := range a.Resources {
		am.resource(&a.Resources[i])
	}
	for arn := range am.access {
		if n := m.nodes[arn]; n == nil || n.Identity == nil {
			am.warnf("account %s: last-accessed data for %s, which is no user or role of the account; ignored", a.ID, arn)
		}
	}
}

// principal adds the node of a user, group or role, its InAccount edge and
// its policies. It reports false, with a warning, for a duplicate.
func (am *accountMapper) principal(n *graph.Node, inline []bundle.InlinePolicy, attached []bundle.AttachedPolicy, boundary *bundle.PermissionsBoundary) bool {
	n.Account = am.a.ID
	if !am.add(n) {
		am.warnf("account %s: %s %s listed twice; the second is ignored", am.a.ID, n.Kind, n.ID)
		return false
	}
	am.link(n.ID, accountID(am.a.ID), graph.EdgeInAccount)
	for _, p := range inline {
		id := n.ID + "/inline/" + p.PolicyName
		am.add(&graph.Node{ID: id, Kind: graph.KindPolicy, Name: p.PolicyName, Account: am.a.ID,
			Policy: &graph.Policy{Kind: graph.PolicyInline, Versions: []graph.PolicyVersion{{Document: documentJSON(p.PolicyDocument)}}}})
		am.link(id, accountID(am.a.ID), graph.EdgeInAccount)
		am.link(n.ID, id, graph.EdgeAttached)
	}
	for _, p := range attached {
		am.refer(n.ID, p.PolicyArn, graph.EdgeAttached)
	}
	if boundary != nil {
		am.refer(n.ID, boundary.PermissionsBoundaryArn, graph.EdgeBoundary)
	}
	return true
}

// refer links a principal to a managed policy, which may not be mapped yet.
func (am *accountMapper) refer(from, arn string, kind graph.EdgeKind) {
	am.link(from, arn, kind)
	if _, seen := am.referrers[arn]; !seen {
		am.referrers[arn] = from
	}
}

func (am *accountMapper) group(g *bundle.Group) {
	n := &graph.Node{ID: g.Arn, Kind: graph.KindGroup, ARN: g.Arn, Name: g.GroupName, Path: g.Path}
	if am.principal(n, g.GroupPolicyList, g.AttachedManagedPolicies, nil) {
		am.groups[g.GroupName] = n.ID
	}
}

func (am *accountMapper) user(u *bundle.User) {
	id := &graph.Identity{}
	if c := am.creds[u.Arn]; c != nil {
		id.ConsolePassword, id.MFA, id.LastUsed = c.PasswordEnabled, c.MFAActive, c.PasswordLastUsed
		for _, k := range c.AccessKeys {
			if !k.Active && k.LastRotated.IsZero() {
				continue // no such key
			}
			id.AccessKeys = append(id.AccessKeys, graph.AccessKey{Active: k.Active, LastRotated: k.LastRotated, LastUsed: k.LastUsedDate})
			id.LastUsed = latest(id.LastUsed, k.LastUsedDate)
		}
	}
	id.LastAccessed = lastAccessed(am.access[u.Arn])
	n := &graph.Node{ID: u.Arn, Kind: graph.KindUser, ARN: u.Arn, Name: u.UserName, Path: u.Path, Tags: tags(u.Tags), Identity: id}
	n.Class, _ = am.cls.Classify(graph.Facts{Kind: graph.KindUser, Name: n.Name, Path: n.Path, Tags: n.Tags, ConsolePassword: id.ConsolePassword})
	if !am.principal(n, u.UserPolicyList, u.AttachedManagedPolicies, u.PermissionsBoundary) {
		return
	}
	for _, name := range u.GroupList {
		g, ok := am.groups[name]
		if !ok {
			am.warnf("account %s: user %s is in group %q, which is not in GroupDetailList; membership dropped", am.a.ID, u.Arn, name)
			continue
		}
		am.link(n.ID, g, graph.EdgeMemberOf)
	}
}

func (am *accountMapper) role(r *bundle.Role) {
	id := &graph.Identity{TrustPolicy: documentJSON(r.AssumeRolePolicyDocument), LastAccessed: lastAccessed(am.access[r.Arn])}
	if r.RoleLastUsed != nil {
		id.LastUsed = r.RoleLastUsed.LastUsedDate
	}
	for _, ip := range r.InstanceProfileList {
		id.InstanceProfiles = append(id.InstanceProfiles, ip.Arn)
	}
	n := &graph.Node{ID: r.Arn, Kind: graph.KindRole, ARN: r.Arn, Name: r.RoleName, Path: r.Path, Tags: tags(r.Tags), Identity: id}
	f := am.trustFacts(n.ID, r.AssumeRolePolicyDocument)
	f.Kind, f.Name, f.Path, f.Tags = graph.KindRole, n.Name, n.Path, n.Tags
	n.Class, _ = am.cls.Classify(f)
	am.principal(n, r.RolePolicyList, r.AttachedManagedPolicies, r.PermissionsBoundary)
}

// managedPolicy maps a customer or AWS managed policy with all its
// versions. An AWS managed policy appears once per snapshot: the first
// account listing it (in account order) provides it.
func (am *accountMapper) managedPolicy(p *bundle.ManagedPolicy) {
	pol := &graph.Policy{Kind: graph.PolicyManaged, DefaultVersionID: p.DefaultVersionId}
	for _, v := range p.PolicyVersionList {
		pol.Versions = append(pol.Versions, graph.PolicyVersion{ID: v.VersionId, Document: documentJSON(v.Document)})
		if v.IsDefaultVersion && pol.DefaultVersionID == "" {
			pol.DefaultVersionID = v.VersionId
		}
	}
	n := &graph.Node{ID: p.Arn, Kind: graph.KindPolicy, ARN: p.Arn, Name: p.PolicyName, Path: p.Path, Policy: pol}
	aws := accountOf(p.Arn) == "aws"
	if !aws {
		n.Account = am.a.ID
	}
	if !am.add(n) {
		if !aws {
			am.warnf("account %s: managed policy %s listed twice; the second is ignored", am.a.ID, p.Arn)
		}
		return
	}
	if !aws {
		am.link(n.ID, accountID(am.a.ID), graph.EdgeInAccount)
	}
}

// documentJSON returns a document as compact JSON, undoing URL encoding.
func documentJSON(d *bundle.Document) string {
	if d == nil {
		return ""
	}
	text := strings.TrimSpace(d.Raw)
	if !strings.HasPrefix(text, "{") {
		if s, err := url.PathUnescape(text); err == nil {
			text = s
		}
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(text)); err != nil {
		return text
	}
	return b.String()
}

func lastAccessed(ss []bundle.ServiceLastAccessed) []graph.ServiceAccess {
	var out []graph.ServiceAccess
	for _, s := range ss {
		sa := graph.ServiceAccess{Service: s.ServiceNamespace, Last: s.LastAuthenticated}
		for _, a := range s.TrackedActionsLastAccessed {
			sa.Actions = append(sa.Actions, graph.ActionAccess{Action: s.ServiceNamespace + ":" + a.ActionName, Last: a.LastAccessedTime})
		}
		out = append(out, sa)
	}
	return out
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
