package awstest

import (
	"net/http"
	"time"

	"github.com/permgraph/permgraph/ingest/bundle"
)

func (s *Server) organizations(q *req) bool {
	o := s.b.Org
	if o == nil {
		if q.op == "DescribeOrganization" {
			s.apiError(q, http.StatusBadRequest, "AWSOrganizationsNotInUseException", "not in an organization")
			return true
		}
		return false
	}
	if q.account != s.mgmt {
		s.apiError(q, http.StatusBadRequest, "AccessDeniedException", "not the management account")
		return true
	}
	token := q.str("NextToken")
	switch q.op {
	case "DescribeOrganization":
		s.jsonResult(q, map[string]any{"Organization": o.Organization})
	case "ListRoots":
		from, to, next := page(len(o.Roots), token, s.opts.PageSize)
		s.jsonResult(q, paged("Roots", o.Roots[from:to], next))
	case "ListOrganizationalUnitsForParent":
		var ous []map[string]string
		for _, u := range o.OrganizationalUnits {
			if u.ParentId == q.str("ParentId") {
				ous = append(ous, map[string]string{"Id": u.Id, "Arn": u.Arn, "Name": u.Name})
			}
		}
		from, to, next := page(len(ous), token, s.opts.PageSize)
		s.jsonResult(q, paged("OrganizationalUnits", ous[from:to], next))
	case "ListAccountsForParent":
		var accts []map[string]any
		for _, a := range o.Accounts {
			if a.ParentId == q.str("ParentId") {
				accts = append(accts, map[string]any{"Id": a.Id, "Arn": a.Arn, "Email": a.Email, "Name": a.Name,
					"Status": a.Status, "State": a.State, "JoinedMethod": a.JoinedMethod, "JoinedTimestamp": epoch(a.JoinedTimestamp)})
			}
		}
		from, to, next := page(len(accts), token, s.opts.PageSize)
		s.jsonResult(q, paged("Accounts", accts[from:to], next))
	case "ListTagsForResource":
		tags := []bundle.Tag{}
		for _, u := range o.OrganizationalUnits {
			if u.Id == q.str("ResourceId") {
				tags = u.Tags
			}
		}
		for _, a := range o.Accounts {
			if a.Id == q.str("ResourceId") {
				tags = a.Tags
			}
		}
		from, to, next := page(len(tags), token, s.opts.PageSize)
		s.jsonResult(q, paged("Tags", tags[from:to], next))
	case "ListPolicies":
		var ps []bundle.PolicySummary
		for _, p := range o.Policies {
			if p.PolicySummary.Type == q.str("Filter") {
				ps = append(ps, p.PolicySummary)
			}
		}
		from, to, next := page(len(ps), token, s.opts.PageSize)
		s.jsonResult(q, paged("Policies", ps[from:to], next))
	case "DescribePolicy", "ListTargetsForPolicy":
		p := s.policy(q.str("PolicyId"))
		switch {
		case p == nil:
			s.apiError(q, http.StatusBadRequest, "PolicyNotFoundException", "no policy "+q.str("PolicyId"))
		case q.op == "DescribePolicy":
			s.jsonResult(q, map[string]any{"Policy": map[string]any{"PolicySummary": p.PolicySummary, "Content": p.Content.Raw}})
		default:
			from, to, next := page(len(p.Targets), token, s.opts.PageSize)
			s.jsonResult(q, paged("Targets", p.Targets[from:to], next))
		}
	default:
		return false
	}
	return true
}

func (s *Server) policy(id string) *bundle.OrgPolicy {
	for i, p := range s.b.Org.Policies {
		if p.PolicySummary.Id == id {
			return &s.b.Org.Policies[i]
		}
	}
	return nil
}

func paged[T any](key string, items []T, next string) map[string]any {
	m := map[string]any{key: items}
	if next != "" {
		m["NextToken"] = next
	}
	return m
}

// epoch is a JSON protocol timestamp: seconds since the epoch.
func epoch(t time.Time) any {
	if t.Nanosecond() == 0 {
		return t.Unix()
	}
	return float64(t.UnixNano()) / 1e9
}
