package bundle

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Credential is one row of an IAM credential report (the decoded content of
// `aws iam get-credential-report`). Dates are zero for "N/A",
// "no_information" and "not_supported"; so are booleans.
type Credential struct {
	User, Arn                                                   string
	UserCreationTime                                            time.Time
	PasswordEnabled                                             bool
	PasswordLastUsed, PasswordLastChanged, PasswordNextRotation time.Time
	MFAActive                                                   bool
	AccessKeys                                                  [2]AccessKey
	Certs                                                       [2]SigningCert
}

// AccessKey is the state of one of a user's two access keys.
type AccessKey struct {
	Active                          bool
	LastRotated, LastUsedDate       time.Time
	LastUsedRegion, LastUsedService string
}

// SigningCert is the state of one of a user's two X.509 signing certificates.
type SigningCert struct {
	Active      bool
	LastRotated time.Time
}

// credentialColumns maps each credential report column to where its value goes.
func credentialColumns() map[string]func(c *Credential) any {
	m := map[string]func(c *Credential) any{
		"user":                   func(c *Credential) any { return &c.User },
		"arn":                    func(c *Credential) any { return &c.Arn },
		"user_creation_time":     func(c *Credential) any { return &c.UserCreationTime },
		"password_enabled":       func(c *Credential) any { return &c.PasswordEnabled },
		"password_last_used":     func(c *Credential) any { return &c.PasswordLastUsed },
		"password_last_changed":  func(c *Credential) any { return &c.PasswordLastChanged },
		"password_next_rotation": func(c *Credential) any { return &c.PasswordNextRotation },
		"mfa_active":             func(c *Credential) any { return &c.MFAActive },
		"cert_1_active":          func(c *Credential) any { return &c.Certs[0].Active },
		"cert_1_last_rotated":    func(c *Credential) any { return &c.Certs[0].LastRotated },
		"cert_2_active":          func(c *Credential) any { return &c.Certs[1].Active },
		"cert_2_last_rotated":    func(c *Credential) any { return &c.Certs[1].LastRotated },
	}
	for i := range 2 {
		p := fmt.Sprintf("access_key_%d_", i+1)
		m[p+"active"] = func(c *Credential) any { return &c.AccessKeys[i].Active }
		m[p+"last_rotated"] = func(c *Credential) any { return &c.AccessKeys[i].LastRotated }
		m[p+"last_used_date"] = func(c *Credential) any { return &c.AccessKeys[i].LastUsedDate }
		m[p+"last_used_region"] = func(c *Credential) any { return &c.AccessKeys[i].LastUsedRegion }
		m[p+"last_used_service"] = func(c *Credential) any { return &c.AccessKeys[i].LastUsedService }
	}
	return m
}

// decodeCredentialReport reads a credential report, driven by its header
// line: the user and arn columns are required, unknown columns are warned
// about and ignored. Errors name the line and column.
func (d *decoder) decodeCredentialReport(r io.Reader) ([]Credential, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, d.csvError(err)
	}
	columns := credentialColumns()
	set := make([]func(*Credential) any, len(header))
	for i, name := range header {
		if set[i] = columns[name]; set[i] == nil {
			d.warnf("line 1", "unknown column %q ignored", name)
		}
	}
	for _, want := range []string{"user", "arn"} {
		if !slices.Contains(header, want) {
			return nil, d.errf("line 1", "no %q column", want)
		}
	}
	var out []Credential
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, d.csvError(err)
		}
		line, _ := cr.FieldPos(0)
		c, err := d.credential(line, header, set, rec)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

func (d *decoder) credential(line int, header []string, set []func(*Credential) any, rec []string) (Credential, error) {
	var c Credential
	for i, v := range rec {
		if set[i] == nil {
			continue
		}
		if err := setCredentialField(set[i](&c), v); err != nil {
			return c, d.errf(fmt.Sprintf("line %d, column %s", line, header[i]), "%w", err)
		}
	}
	return c, nil
}

func setCredentialField(dst any, v string) error {
	unknown := v == "N/A" || v == "no_information" || v == "not_supported" || v == ""
	switch dst := dst.(type) {
	case *string:
		if v != "N/A" {
			*dst = v
		}
	case *bool:
		switch {
		case v == "true":
			*dst = true
		case v != "false" && !unknown:
			return fmt.Errorf("%q is not true or false", v)
		}
	case *time.Time:
		if unknown {
			return nil
		}
		t, err := parseDate(v)
		if err != nil {
			return fmt.Errorf("%q is not an ISO 8601 date", v)
		}
		*dst = t
	}
	return nil
}

func (d *decoder) csvError(err error) error {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return d.errf(fmt.Sprintf("line %d, column %d", pe.Line, pe.Column), "%w", pe.Err)
	}
	if errors.Is(err, io.EOF) {
		return d.errf("", "empty credential report")
	}
	return d.errf("", "%w", err)
}

// Resource is a resource with its resource-based policy and tags
// (resources.json).
type Resource struct {
	Arn    string
	Policy *Document // nil when the resource has none
	Tags   []Tag
}

func (d *decoder) decodeResources(data []byte) ([]Resource, error) {
	f, err := d.root(data)
	if err != nil {
		return nil, err
	}
	f.required("Resources")
	out := entries(f, "Resources", true, func(g *fields, r *Resource) {
		g.required("Arn")
		g.str("Arn", &r.Arn)
		g.doc("Policy", &r.Policy)
		r.Tags = entries(g, "Tags", false, readTag)
	})
	return out, f.done()
}

// PrincipalAccess is what a principal last used, from
// `aws iam get-service-last-accessed-details` at ACTION_LEVEL granularity
// (last-accessed.json).
type PrincipalAccess struct {
	Arn                  string
	ServicesLastAccessed []ServiceLastAccessed
}

// ServiceLastAccessed is an element of ServicesLastAccessed.
type ServiceLastAccessed struct {
	ServiceName, ServiceNamespace, LastAuthenticatedEntity, LastAuthenticatedRegion string
	LastAuthenticated                                                               time.Time
	TotalAuthenticatedEntities                                                      int
	TrackedActionsLastAccessed                                                      []ActionLastAccessed
}

// ActionLastAccessed is an element of TrackedActionsLastAccessed.
type ActionLastAccessed struct {
	ActionName, LastAccessedEntity, LastAccessedRegion string
	LastAccessedTime                                   time.Time
}

func (d *decoder) decodeLastAccessed(data []byte) ([]PrincipalAccess, error) {
	f, err := d.root(data)
	if err != nil {
		return nil, err
	}
	f.required("Principals")
	out := entries(f, "Principals", false, func(g *fields, p *PrincipalAccess) {
		g.required("Arn")
		g.str("Arn", &p.Arn)
		p.ServicesLastAccessed = entries(g, "ServicesLastAccessed", false, readServiceLastAccessed)
	})
	return out, f.done()
}

func readServiceLastAccessed(f *fields, s *ServiceLastAccessed) {
	f.required("ServiceNamespace")
	f.str("ServiceName", &s.ServiceName)
	f.str("ServiceNamespace", &s.ServiceNamespace)
	f.date("LastAuthenticated", &s.LastAuthenticated)
	f.str("LastAuthenticatedEntity", &s.LastAuthenticatedEntity)
	f.str("LastAuthenticatedRegion", &s.LastAuthenticatedRegion)
	f.integer("TotalAuthenticatedEntities", &s.TotalAuthenticatedEntities)
	s.TrackedActionsLastAccessed = entries(f, "TrackedActionsLastAccessed", false, func(g *fields, a *ActionLastAccessed) {
		g.required("ActionName")
		g.str("ActionName", &a.ActionName)
		g.str("LastAccessedEntity", &a.LastAccessedEntity)
		g.str("LastAccessedRegion", &a.LastAccessedRegion)
		g.date("LastAccessedTime", &a.LastAccessedTime)
	})
}
