package synth

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
)

// The shapes of organization.json (DESIGN.md §6).
type orgFile struct {
	Organization        orgOrganization
	Roots               []orgRoot
	OrganizationalUnits []orgOU
	Accounts            []orgAccount
	Policies            []orgPolicyFile
}

type orgOrganization struct {
	Id, Arn, FeatureSet, MasterAccountArn, MasterAccountId, MasterAccountEmail string
	AvailablePolicyTypes                                                       []policyType
}

type policyType struct{ Type, Status string }

type orgRoot struct {
	Id, Arn, Name string
	PolicyTypes   []policyType
}

type orgOU struct {
	Id, Arn, Name, ParentId string
	Tags                    []tag
}

type orgAccount struct {
	Id, Arn, Email, Name, Status, State, JoinedMethod, JoinedTimestamp, ParentId string
	Tags                                                                         []tag
}

type orgPolicyFile struct {
	PolicySummary orgPolicySummary
	Content       string
	Targets       []orgTarget
}

type orgPolicySummary struct {
	Id, Arn, Name, Description, Type string
	AwsManaged                       bool
}

type orgTarget struct{ TargetId, Arn, Name, Type string }

func writeOrg(path string, o *orgPlan) (int64, error) {
	types := []policyType{{scpType, "ENABLED"}, {rcpType, "ENABLED"}}
	mgmt := o.mgmt()
	f := orgFile{
		Organization: orgOrganization{Id: o.orgID, Arn: o.orgArn("organization", ""), FeatureSet: "ALL",
			MasterAccountArn: o.orgArn("account", mgmt.id), MasterAccountId: mgmt.id, MasterAccountEmail: mgmt.email,
			AvailablePolicyTypes: types},
		Roots: []orgRoot{{Id: o.rootID, Arn: o.orgArn("root", o.rootID), Name: "Root", PolicyTypes: types}},
	}
	targets := map[string]orgTarget{o.rootID: {o.rootID, o.orgArn("root", o.rootID), "Root", "ROOT"}}
	for _, u := range o.ous {
		arn := o.orgArn("ou", u.id)
		tags := u.tags
		if tags == nil {
			tags = []tag{}
		}
		f.OrganizationalUnits = append(f.OrganizationalUnits, orgOU{u.id, arn, u.name, u.parent, tags})
		targets[u.id] = orgTarget{u.id, arn, u.name, "ORGANIZATIONAL_UNIT"}
	}
	for _, a := range o.accounts {
		status, method := "ACTIVE", "CREATED"
		if a.kind == kindSuspended {
			status = "SUSPENDED"
		}
		if a.invited {
			method = "INVITED"
		}
		arn := o.orgArn("account", a.id)
		f.Accounts = append(f.Accounts, orgAccount{Id: a.id, Arn: arn, Email: a.email, Name: a.name, Status: status, State: status,
			JoinedMethod: method, JoinedTimestamp: awsDate(a.joined), ParentId: a.ou,
			Tags: []tag{{"account-type", a.kind}, {"cost-center", "cc-" + a.id[8:]}}})
		targets[a.id] = orgTarget{a.id, arn, a.name, "ACCOUNT"}
	}
	for _, p := range o.policies {
		pf := orgPolicyFile{PolicySummary: orgPolicySummary{Id: p.id, Arn: o.policyArn(p), Name: p.name,
			Description: p.description, Type: p.typ, AwsManaged: p.awsManaged}, Content: p.content.text()}
		for _, t := range p.targets {
			pf.Targets = append(pf.Targets, targets[t]) // lookups only: the order is p.targets'
		}
		f.Policies = append(f.Policies, pf)
	}
	return writeFile(path, func(w *bufio.Writer) error {
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		e.SetIndent("", "  ")
		return e.Encode(f)
	})
}

func writeManifest(path string, o *orgPlan, planted []Escalation) (int64, error) {
	m := Manifest{Size: o.size.String(), Seed: o.seed, Escalations: planted}
	return writeFile(path, func(w *bufio.Writer) error {
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		e.SetIndent("", "  ")
		return e.Encode(m)
	})
}

// ReadManifest reads the planted.json of the bundle in dir.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &ManifestError{Path: filepath.Join(dir, ManifestFile), Err: err}
	}
	return &m, nil
}

// ManifestError reports a planted.json that is not valid JSON of the
// documented shape.
type ManifestError struct {
	Path string
	Err  error
}

func (e *ManifestError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *ManifestError) Unwrap() error { return e.Err }
