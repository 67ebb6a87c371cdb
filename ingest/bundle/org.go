package bundle

import (
	"fmt"
	"io"
	"time"
)

// Policy types of [OrgPolicy], as PolicySummary.Type spells them.
const (
	ServiceControlPolicy  = "SERVICE_CONTROL_POLICY"
	ResourceControlPolicy = "RESOURCE_CONTROL_POLICY"
)

// Org is organization.json: an organization in the shapes the AWS CLI prints
// for describe-organization, list-roots, describe-organizational-unit,
// list-accounts, list-policies, describe-policy, list-targets-for-policy and
// list-tags-for-resource, with ParentId, Tags, Content and Targets added.
type Org struct {
	Organization        Organization
	Roots               []Root
	OrganizationalUnits []OrganizationalUnit
	Accounts            []OrgAccount
	Policies            []OrgPolicy
	Warnings            []string `json:",omitempty"`
}

// Organization is describe-organization's Organization.
type Organization struct {
	Id, Arn, FeatureSet, MasterAccountArn, MasterAccountId, MasterAccountEmail string
	AvailablePolicyTypes                                                       []PolicyTypeSummary
}

// PolicyTypeSummary is a policy type and whether it is enabled.
type PolicyTypeSummary struct{ Type, Status string }

// Root is an element of list-roots' Roots.
type Root struct {
	Id, Arn, Name string
	PolicyTypes   []PolicyTypeSummary
}

// OrganizationalUnit is describe-organizational-unit's OrganizationalUnit.
type OrganizationalUnit struct {
	Id, Arn, Name, ParentId string
	Tags                    []Tag
}

// OrgAccount is an element of list-accounts' Accounts.
type OrgAccount struct {
	Id, Arn, Email, Name, Status, State, JoinedMethod, ParentId string
	JoinedTimestamp                                             time.Time
	Tags                                                        []Tag
}

// OrgPolicy is an SCP or RCP: its summary, parsed content and targets.
type OrgPolicy struct {
	PolicySummary PolicySummary
	Content       *Document
	Targets       []PolicyTarget
}

// PolicySummary is list-policies' summary of a policy.
type PolicySummary struct {
	Id, Arn, Name, Description, Type string
	AwsManaged                       bool
}

// PolicyTarget is an element of list-targets-for-policy's Targets.
type PolicyTarget struct{ TargetId, Arn, Name, Type string }

// DecodeOrg decodes organization.json from r and checks its references: every
// ParentId and policy target must name a root, OU or account in the file.
func (o Options) DecodeOrg(path string, r io.Reader) (*Org, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d := &decoder{file: path, opts: o}
	f, err := d.root(data)
	if err != nil {
		return nil, err
	}
	org := &Org{}
	f.required("Organization")
	f.obj("Organization", func(g *fields) { readOrganization(g, &org.Organization) })
	org.Roots = entries(f, "Roots", false, readRoot)
	org.OrganizationalUnits = entries(f, "OrganizationalUnits", false, readOU)
	org.Accounts = entries(f, "Accounts", false, readOrgAccount)
	org.Policies = entries(f, "Policies", true, readOrgPolicy)
	if err := f.done(); err != nil {
		return nil, err
	}
	if err := d.checkOrg(org); err != nil {
		return nil, err
	}
	org.Warnings = d.warnings
	return org, nil
}

// DecodeOrg is [Options.DecodeOrg] with default options.
func DecodeOrg(path string, r io.Reader) (*Org, error) { return Options{}.DecodeOrg(path, r) }

func readOrganization(f *fields, o *Organization) {
	f.required("Id")
	f.str("Id", &o.Id)
	f.str("Arn", &o.Arn)
	f.str("FeatureSet", &o.FeatureSet)
	f.str("MasterAccountArn", &o.MasterAccountArn)
	f.str("MasterAccountId", &o.MasterAccountId)
	f.str("MasterAccountEmail", &o.MasterAccountEmail)
	o.AvailablePolicyTypes = entries(f, "AvailablePolicyTypes", false, readPolicyType)
}

func readPolicyType(f *fields, t *PolicyTypeSummary) {
	f.str("Type", &t.Type)
	f.str("Status", &t.Status)
}

func readRoot(f *fields, r *Root) {
	f.required("Id")
	f.str("Id", &r.Id)
	f.str("Arn", &r.Arn)
	f.str("Name", &r.Name)
	r.PolicyTypes = entries(f, "PolicyTypes", false, readPolicyType)
}

func readOU(f *fields, u *OrganizationalUnit) {
	f.required("Id", "ParentId")
	f.str("Id", &u.Id)
	f.str("Arn", &u.Arn)
	f.str("Name", &u.Name)
	f.str("ParentId", &u.ParentId)
	u.Tags = entries(f, "Tags", false, readTag)
}

func readOrgAccount(f *fields, a *OrgAccount) {
	f.required("Id", "ParentId")
	f.str("Id", &a.Id)
	f.str("Arn", &a.Arn)
	f.str("Email", &a.Email)
	f.str("Name", &a.Name)
	f.str("Status", &a.Status)
	f.str("State", &a.State)
	f.str("JoinedMethod", &a.JoinedMethod)
	f.date("JoinedTimestamp", &a.JoinedTimestamp)
	f.str("ParentId", &a.ParentId)
	a.Tags = entries(f, "Tags", false, readTag)
	if f.err == nil && !isAccountID(a.Id) {
		f.fail(f.d.errf(f.sub("Id"), "%q is not a 12-digit account id", a.Id))
	}
}

func readOrgPolicy(f *fields, p *OrgPolicy) {
	f.required("PolicySummary", "Content")
	f.obj("PolicySummary", func(g *fields) {
		s := &p.PolicySummary
		g.required("Id", "Type")
		g.str("Id", &s.Id)
		g.str("Arn", &s.Arn)
		g.str("Name", &s.Name)
		g.str("Description", &s.Description)
		g.str("Type", &s.Type)
		g.boolean("AwsManaged", &s.AwsManaged)
		if g.err == nil && s.Type != ServiceControlPolicy && s.Type != ResourceControlPolicy {
			g.fail(g.d.errf(g.sub("Type"), "%q is not %s or %s", s.Type, ServiceControlPolicy, ResourceControlPolicy))
		}
	})
	f.doc("Content", &p.Content)
	p.Targets = entries(f, "Targets", false, func(g *fields, t *PolicyTarget) {
		g.required("TargetId")
		g.str("TargetId", &t.TargetId)
		g.str("Arn", &t.Arn)
		g.str("Name", &t.Name)
		g.str("Type", &t.Type)
	})
}

// checkOrg checks that parents and targets exist and the OU tree has no cycle.
func (d *decoder) checkOrg(org *Org) error {
	parents := map[string]string{} // id → parent id; roots map to ""
	for _, r := range org.Roots {
		parents[r.Id] = ""
	}
	for _, u := range org.OrganizationalUnits {
		parents[u.Id] = u.ParentId
	}
	for i, u := range org.OrganizationalUnits {
		if err := d.checkParent(parents, fmt.Sprintf("OrganizationalUnits[%d]", i), u.Id, u.ParentId); err != nil {
			return err
		}
	}
	for i, a := range org.Accounts {
		if err := d.checkParent(parents, fmt.Sprintf("Accounts[%d]", i), a.Id, a.ParentId); err != nil {
			return err
		}
	}
	accounts := map[string]bool{}
	for _, a := range org.Accounts {
		accounts[a.Id] = true
	}
	for i, p := range org.Policies {
		for j, t := range p.Targets {
			if _, ok := parents[t.TargetId]; !ok && !accounts[t.TargetId] {
				return d.errf(fmt.Sprintf("Policies[%d].Targets[%d].TargetId", i, j),
					"%q is not a root, OU or account in the file", t.TargetId)
			}
		}
	}
	return nil
}

// checkParent checks that parent is a root or OU, and that following parents
// from id reaches a root.
func (d *decoder) checkParent(parents map[string]string, path, id, parent string) error {
	if _, ok := parents[parent]; !ok {
		return d.errf(path+".ParentId", "%q is not a root or OU in the file", parent)
	}
	for n, p := 0, parent; p != ""; n, p = n+1, parents[p] {
		if n > len(parents) {
			return d.errf(path+".ParentId", "the OUs above %s form a cycle", id)
		}
	}
	return nil
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
