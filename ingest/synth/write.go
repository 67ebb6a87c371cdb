package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// ManifestFile is the name of the planted-escalation manifest, written at
// the top of the bundle next to organization.json (bundle.Read ignores it).
const ManifestFile = "planted.json"

// Manifest is planted.json.
type Manifest struct {
	Size        string       `json:"size"`
	Seed        uint64       `json:"seed"`
	Escalations []Escalation `json:"escalations"`
}

// build generates the account's IAM data and resources.
func (a *account) build() {
	b := a.p.budget
	policies := int(math.Round(policiesPerIdentity * float64(b)))
	a.fillPool(max(policies*3/4, 5))
	a.ssoRoles()
	a.serviceLinkedRoles()
	a.wellKnownRoles()
	a.plant()
	rest := max(b-a.identities(), 0)
	a.iamUsers(rest * 14 / 100)
	a.agents(max(rest*12/100, 1))
	a.ciRoles(rest * 10 / 100)
	a.thirdParties(min(len(vendors), rest*3/100+1))
	a.crossAccount(rest * 6 / 100)
	a.federatedHumans(max(rest*9/100, 1))
	a.workloads(b - a.identities())
	if n := policies - len(a.policies); n > 0 {
		a.fillPool(n) // written but never attached, as real accounts have
	}
	a.genResources(int(math.Round(resourcesPerIdentity * float64(b))))
}

// writeAccount generates account p and writes its directory.
func writeAccount(dir string, o *orgPlan, p *acctPlan) accountResult {
	a := newAccount(o, p)
	a.build()
	adir := filepath.Join(dir, "accounts", p.id)
	if err := os.MkdirAll(adir, 0o755); err != nil {
		return accountResult{err: err}
	}
	st := &a.stats
	st.AccountDirs = 1
	for _, w := range []struct {
		name  string
		write func(*bufio.Writer) error
	}{
		{"authorization-details.json", a.writeGAAD},
		{"credential-report.csv", func(w *bufio.Writer) error { st.Credentials = a.writeCredentialReport(w); return nil }},
		{"resources.json", func(w *bufio.Writer) error {
			st.Resources = len(a.resources)
			return writeObject(w, "Resources", a.resources)
		}},
		{"last-accessed.json", a.writeLastAccessed},
	} {
		n, err := writeFile(filepath.Join(adir, w.name), w.write)
		if err != nil {
			return accountResult{err: err}
		}
		st.Files++
		st.Bytes += n
	}
	st.Users, st.Groups, st.Roles = len(a.users), len(a.groups), len(a.roles)
	for _, x := range a.roles {
		c := &st.Classes
		switch x.class {
		case classHuman:
			c.Human++
		case classWorkload:
			c.Workload++
		case classAgent:
			c.Agent++
		case classCI:
			c.CI++
		case classThirdParty:
			c.ThirdParty++
		case classServiceLinked:
			c.ServiceLinked++
		case classCrossAccount:
			c.CrossAccount++
		}
	}
	st.Classes.Human += len(a.users)
	return accountResult{stats: *st, planted: a.planted}
}

// writeFile creates path and fills it through a buffered writer.
func writeFile(path string, write func(*bufio.Writer) error) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{f: f}
	w := bufio.NewWriterSize(cw, 1<<16)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return cw.n, nil
}

type countingWriter struct {
	f *os.File
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n += int64(n)
	return n, err
}

// elemWriter writes JSON values one at a time, compact, without HTML escaping.
type elemWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

func newElemWriter(w *bufio.Writer) *elemWriter {
	e := &elemWriter{w: w}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

func (e *elemWriter) value(v any) error {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return err
	}
	_, err := e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	return err
}

// list writes "key":[ elems ], one element a line.
func writeList[T any](e *elemWriter, key string, elems []T) error {
	fmt.Fprintf(e.w, "%q:[", key)
	for i := range elems {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteString("\n")
		if err := e.value(&elems[i]); err != nil {
			return err
		}
	}
	_, err := e.w.WriteString("]")
	return err
}

// writeObject writes {"key":[elems]}.
func writeObject[T any](w *bufio.Writer, key string, elems []T) error {
	w.WriteByte('{')
	if err := writeList(newElemWriter(w), key, elems); err != nil {
		return err
	}
	_, err := w.WriteString("}\n")
	return err
}

func (a *account) writeGAAD(w *bufio.Writer) error {
	e := newElemWriter(w)
	users := make([]gaadUser, len(a.users))
	for i, u := range a.users {
		users[i] = u.gaadUser
	}
	groups := make([]gaadGroup, len(a.groups))
	for i, g := range a.groups {
		groups[i] = g.gaadGroup
	}
	roles := make([]gaadRole, len(a.roles))
	for i, x := range a.roles {
		roles[i] = x.gaadRole
	}
	var policies []gaadPolicy
	for i, p := range awsPolicies() {
		if a.awsCount[i] == 0 && a.awsBounds[i] == 0 {
			continue
		}
		policies = append(policies, gaadPolicy{PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path,
			DefaultVersionId: p.version, AttachmentCount: a.awsCount[i], PermissionsBoundaryUsageCount: a.awsBounds[i],
			IsAttachable: true, CreateDate: awsDate(p.created), UpdateDate: awsDate(p.updated),
			PolicyVersionList: []policyVersion{{Document: p.document, VersionId: p.version, IsDefaultVersion: true, CreateDate: awsDate(p.updated)}}})
	}
	a.stats.AWSManagedPolicies = len(policies)
	for _, c := range a.policies {
		policies = append(policies, c.gaadPolicy)
		a.stats.PolicyVersions += len(c.PolicyVersionList)
	}
	a.stats.CustomerPolicies = len(a.policies)
	w.WriteByte('{')
	for i, step := range []func() error{
		func() error { return writeList(e, "UserDetailList", users) },
		func() error { return writeList(e, "GroupDetailList", groups) },
		func() error { return writeList(e, "RoleDetailList", roles) },
		func() error { return writeList(e, "Policies", policies) },
	} {
		if i > 0 {
			w.WriteString(",\n")
		}
		if err := step(); err != nil {
			return err
		}
	}
	_, err := w.WriteString("}\n")
	return err
}

func (a *account) writeLastAccessed(w *bufio.Writer) error {
	var ps []principalAccess
	for _, u := range a.users {
		ps = append(ps, a.lastAccessed(&u.ident))
	}
	for _, x := range a.roles {
		if x.class != classServiceLinked {
			ps = append(ps, a.lastAccessed(&x.ident))
		}
	}
	a.stats.LastAccessed = len(ps)
	return writeObject(w, "Principals", ps)
}
