package ingest

import (
	"strings"

	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// IDs of the organization's nodes, which have ARNs but are named by the
// prefixed ids graph.Node documents, stable whatever the source.
func orgID(id string) string     { return "org/" + id }
func rootID(id string) string    { return "root/" + id }
func ouID(id string) string      { return "ou/" + id }
func accountID(id string) string { return "account/" + id }

// orgTargetID returns the node ID of a root, OU or account id as
// Organizations writes it (ParentId, TargetId).
func orgTargetID(id string) string {
	switch {
	case strings.HasPrefix(id, "r-"):
		return rootID(id)
	case strings.HasPrefix(id, "ou-"):
		return ouID(id)
	}
	return accountID(id)
}

// mapOrg maps organization.json: the organization, roots, OUs, accounts and
// SCPs and RCPs. The bundle has checked every parent and target.
func (m *mapper) mapOrg() {
	org := m.b.Org
	if org == nil {
		return
	}
	o := org.Organization
	m.add(&graph.Node{ID: orgID(o.Id), Kind: graph.KindOrganization, ARN: o.Arn, Name: o.Id, Account: o.MasterAccountId})
	for _, r := range org.Roots {
		m.add(&graph.Node{ID: rootID(r.Id), Kind: graph.KindRoot, ARN: r.Arn, Name: r.Name, Account: o.MasterAccountId})
		m.link(rootID(r.Id), orgID(o.Id), graph.EdgeChildOf)
	}
	for _, u := range org.OrganizationalUnits {
		m.add(&graph.Node{ID: ouID(u.Id), Kind: graph.KindOU, ARN: u.Arn, Name: u.Name, Account: o.MasterAccountId, Tags: tags(u.Tags)})
		m.link(ouID(u.Id), orgTargetID(u.ParentId), graph.EdgeChildOf)
	}
	for _, a := range org.Accounts {
		m.add(&graph.Node{ID: accountID(a.Id), Kind: graph.KindAccount, ARN: a.Arn, Name: a.Name, Account: a.Id, Tags: tags(a.Tags)})
		m.link(accountID(a.Id), orgTargetID(a.ParentId), graph.EdgeChildOf)
	}
	for _, p := range org.Policies {
		m.mapOrgPolicy(&p)
	}
}

func (m *mapper) mapOrgPolicy(p *bundle.OrgPolicy) {
	s := p.PolicySummary
	kind := graph.PolicySCP
	if s.Type == bundle.ResourceControlPolicy {
		kind = graph.PolicyRCP
	}
	id := s.Arn
	if id == "" {
		id = "policy/" + s.Id
	}
	n := &graph.Node{ID: id, Kind: graph.KindPolicy, ARN: s.Arn, Name: s.Name,
		Policy: &graph.Policy{Kind: kind, Versions: []graph.PolicyVersion{{Document: documentJSON(p.Content)}}}}
	if !m.add(n) {
		m.warnf("organization: %s policy %s listed twice; the second is ignored", s.Type, id)
		return
	}
	for _, t := range p.Targets {
		m.link(id, orgTargetID(t.TargetId), graph.EdgePolicyTarget)
	}
}

// accountNode adds the node of a bundle account that organization.json
// does not list (or that has no organization.json).
func (m *mapper) accountNode(id string) {
	m.add(&graph.Node{ID: accountID(id), Kind: graph.KindAccount, Name: id, Account: id})
}
