package ingest

import (
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// Principal types of a trust policy's Principal element.
const (
	principalAWS       = "AWS"
	principalService   = "Service"
	principalFederated = "Federated"
	principalCanonical = "CanonicalUser"
)

// trust is one principal a role's trust policy allows.
type trust struct {
	role, typ, value string
}

// trustFacts reads the principals the Allow statements of a role's trust
// policy name, records them for [mapper.resolveTrusts], and returns what the
// classifier needs to know about them.
func (m *mapper) trustFacts(role string, doc *bundle.Document) graph.Facts {
	var f graph.Facts
	if doc == nil || doc.Policy == nil {
		return f
	}
	add := func(typ, v string) { m.trusts = append(m.trusts, trust{role: role, typ: typ, value: v}) }
	for _, s := range doc.Policy.Statements {
		if s.Effect != policy.Allow || s.Principal == nil {
			continue
		}
		p := s.Principal
		aws := p.AWS
		if p.Wildcard {
			aws = append([]string{"*"}, aws...)
		}
		for _, v := range aws {
			add(principalAWS, v)
			f.TrustAWS = append(f.TrustAWS, v)
			if acct := accountOf(v); v == "*" || acct != "" && !m.inOrg[acct] {
				f.TrustsExternalAccount = true
			}
		}
		for _, v := range p.Service {
			add(principalService, v)
			f.TrustServices = append(f.TrustServices, v)
		}
		for _, v := range p.Federated {
			add(principalFederated, v)
			f.TrustFederated = append(f.TrustFederated, v)
		}
		for _, v := range p.CanonicalUser {
			add(principalCanonical, v)
		}
		for _, c := range s.Condition {
			if strings.EqualFold(c.Key, "sts:ExternalId") {
				f.ExternalIDCondition = true
			}
		}
	}
	return f
}

// resolveTrusts adds the Trusts edges, once every account's users and roles
// are nodes: to a user, role or account of the bundle, or to a service or
// external principal node made for the purpose.
func (m *mapper) resolveTrusts() {
	for _, t := range m.trusts {
		m.link(t.role, m.trustTarget(t), graph.EdgeTrusts)
	}
}

func (m *mapper) trustTarget(t trust) string {
	switch t.typ {
	case principalService:
		id := "service/" + t.value
		m.add(&graph.Node{ID: id, Kind: graph.KindServicePrincipal, Name: t.value})
		return id
	case principalFederated:
		if strings.HasPrefix(t.value, "arn:") {
			return m.external(t.value, t.value, arnName(t.value), accountOf(t.value))
		}
		return m.external("federated/"+t.value, "", t.value, "")
	case principalCanonical:
		return m.external("canonical/"+t.value, "", t.value, "")
	}
	v := t.value
	if acct := accountOf(v); acct != "" && (!strings.HasPrefix(v, "arn:") || arnResource(v) == "root") {
		id := accountID(acct)
		if n := m.nodes[id]; n != nil && n.Kind == graph.KindAccount {
			return id
		}
		return m.external(id, "", acct, acct)
	}
	if n := m.nodes[v]; n != nil && (n.Kind == graph.KindUser || n.Kind == graph.KindRole) {
		return v
	}
	if strings.HasPrefix(v, "arn:") {
		return m.external(v, v, arnName(v), accountOf(v))
	}
	return m.external("aws/"+v, "", v, "") // "*" or a unique id such as AROA…
}

// external returns the ID of an ExternalPrincipal node, adding it if new.
func (m *mapper) external(id, arn, name, account string) string {
	m.add(&graph.Node{ID: id, Kind: graph.KindExternalPrincipal, ARN: arn, Name: name, Account: account})
	return id
}

// accountOf returns the account a principal or ARN names: a bare 12-digit
// id, or an ARN's account field ("aws" for AWS managed policies); "" if none.
func accountOf(s string) string {
	if isAccountID(s) {
		return s
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// arnResource returns the resource part of an ARN.
func arnResource(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[5]
}

// arnName returns the last segment of an ARN's resource: a policy, role or
// provider name.
func arnName(arn string) string {
	r := arnResource(arn)
	return r[strings.LastIndexAny(r, "/:")+1:]
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
