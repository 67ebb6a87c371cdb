package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Bundle is a decoded org bundle.
type Bundle struct {
	Org      *Org                // nil without organization.json
	Accounts map[string]*Account // by 12-digit account id
	// Warnings are every file's warnings, sorted; each starts with the file.
	Warnings []string
}

// Account is one accounts/<account-id>/ directory of a bundle.
type Account struct {
	ID                   string
	AuthorizationDetails *GAAD
	CredentialReport     []Credential      // nil without credential-report.csv
	Resources            []Resource        // nil without resources.json
	LastAccessed         []PrincipalAccess // nil without last-accessed.json
}

// Names of the files in a bundle.
const (
	orgFile              = "organization.json"
	accountsDir          = "accounts"
	authorizationFile    = "authorization-details.json"
	credentialReportFile = "credential-report.csv"
	resourcesFile        = "resources.json"
	lastAccessedFile     = "last-accessed.json"
)

// Read reads the org bundle at path (DESIGN.md §6): a directory holding an
// optional organization.json and accounts/<account-id>/ directories, or a
// single authorization-details.json, whose account is the one its ARNs name.
func Read(path string, opts Options) (*Bundle, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return readSingle(path, opts)
	}
	b := &Bundle{Accounts: map[string]*Account{}}
	if err := b.readOrg(path, opts); err != nil {
		return nil, err
	}
	if err := b.readAccounts(path, opts); err != nil {
		return nil, err
	}
	if b.Org == nil && len(b.Accounts) == 0 {
		return nil, fmt.Errorf("%s: no %s and no %s/<account-id>/", path, orgFile, accountsDir)
	}
	b.checkOrgAccounts(path)
	slices.Sort(b.Warnings)
	return b, nil
}

func readSingle(path string, opts Options) (*Bundle, error) {
	g, err := decodeGAADFile(path, opts)
	if err != nil {
		return nil, err
	}
	ids := accountsIn(g)
	if len(ids) != 1 {
		return nil, fmt.Errorf("%s: the ARNs name %d accounts (%s), want one: put each account in %s/<account-id>/",
			path, len(ids), strings.Join(ids, ", "), accountsDir)
	}
	a := &Account{ID: ids[0], AuthorizationDetails: g}
	w := slices.Sorted(slices.Values(g.Warnings))
	return &Bundle{Accounts: map[string]*Account{a.ID: a}, Warnings: w}, nil
}

func decodeGAADFile(path string, opts Options) (*GAAD, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return opts.DecodeGAAD(path, bytes.NewReader(data))
}

func (b *Bundle) readOrg(dir string, opts Options) error {
	path := filepath.Join(dir, orgFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	org, err := opts.DecodeOrg(path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	b.Org = org
	b.Warnings = append(b.Warnings, org.Warnings...)
	return nil
}

func (b *Bundle) readAccounts(dir string, opts Options) error {
	root := filepath.Join(dir, accountsDir)
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		path := filepath.Join(root, e.Name())
		if !e.IsDir() {
			b.Warnings = append(b.Warnings, path+": not an account directory; ignored")
			continue
		}
		if !isAccountID(e.Name()) {
			return fmt.Errorf("%s: directory name is not a 12-digit account id", path)
		}
		a, warnings, err := readAccount(path, e.Name(), opts)
		if err != nil {
			return err
		}
		b.Accounts[a.ID] = a
		b.Warnings = append(b.Warnings, warnings...)
	}
	return nil
}

// readAccount reads the account directory dir, named for account id.
func readAccount(dir, id string, opts Options) (*Account, []string, error) {
	g, err := decodeGAADFile(filepath.Join(dir, authorizationFile), opts)
	if err != nil {
		return nil, nil, err
	}
	if err := checkAccount(filepath.Join(dir, authorizationFile), id, g); err != nil {
		return nil, nil, err
	}
	a := &Account{ID: id, AuthorizationDetails: g}
	warnings := g.Warnings
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		path := filepath.Join(dir, e.Name())
		d := &decoder{file: path, opts: opts}
		switch e.Name() {
		case authorizationFile:
		case credentialReportFile:
			err = readFile(path, func(data []byte) (err error) {
				a.CredentialReport, err = d.decodeCredentialReport(bytes.NewReader(data))
				return err
			})
		case resourcesFile:
			err = readFile(path, func(data []byte) (err error) {
				a.Resources, err = d.decodeResources(data)
				return err
			})
		case lastAccessedFile:
			err = readFile(path, func(data []byte) (err error) {
				a.LastAccessed, err = d.decodeLastAccessed(data)
				return err
			})
		default:
			d.warnf("", "unknown file ignored")
		}
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, d.warnings...)
	}
	return a, warnings, nil
}

func readFile(path string, decode func([]byte) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return decode(data)
}

// checkAccount checks that every user, group, role and customer managed
// policy in g belongs to account id.
func checkAccount(file, id string, g *GAAD) error {
	var err error
	check := func(list string, i int, arn string) {
		if got := arnAccount(arn); err == nil && got != id && got != "aws" {
			err = fmt.Errorf("%s: %s[%d].Arn: account %q does not match the directory's account %s", file, list, i, got, id)
		}
	}
	for i, u := range g.UserDetailList {
		check("UserDetailList", i, u.Arn)
	}
	for i, x := range g.GroupDetailList {
		check("GroupDetailList", i, x.Arn)
	}
	for i, r := range g.RoleDetailList {
		check("RoleDetailList", i, r.Arn)
	}
	for i, p := range g.Policies {
		check("Policies", i, p.Arn)
	}
	return err
}

// accountsIn returns the accounts the ARNs of g name, sorted.
func accountsIn(g *GAAD) []string {
	seen := map[string]bool{}
	for _, u := range g.UserDetailList {
		seen[arnAccount(u.Arn)] = true
	}
	for _, x := range g.GroupDetailList {
		seen[arnAccount(x.Arn)] = true
	}
	for _, r := range g.RoleDetailList {
		seen[arnAccount(r.Arn)] = true
	}
	for _, p := range g.Policies {
		seen[arnAccount(p.Arn)] = true
	}
	delete(seen, "aws") // AWS managed policies
	return slices.Sorted(maps.Keys(seen))
}

// arnAccount returns the account field of arn ("" when it has none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// checkOrgAccounts warns about account directories the org does not list.
func (b *Bundle) checkOrgAccounts(dir string) {
	if b.Org == nil {
		return
	}
	inOrg := map[string]bool{}
	for _, a := range b.Org.Accounts {
		inOrg[a.Id] = true
	}
	for id := range b.Accounts {
		if !inOrg[id] {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: account %s is not in %s", filepath.Join(dir, accountsDir, id), id, orgFile))
		}
	}
}
