package synth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// writeS writes an S bundle for seed into a fresh temporary directory.
func writeS(t *testing.T, seed uint64) (string, *Stats) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	st, err := Write(t.Context(), dir, Options{Size: S, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return dir, st
}

// hashes returns the SHA-256 of every file under dir, by relative path.
func hashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSameSeedSameBytes(t *testing.T) {
	t.Parallel()
	a, _ := writeS(t, 7)
	b, _ := writeS(t, 7)
	c, _ := writeS(t, 8)
	ha, hb, hc := hashes(t, a), hashes(t, b), hashes(t, c)
	if len(ha) < 10 {
		t.Fatalf("only %d files written: %v", len(ha), ha)
	}
	if diff := cmp.Diff(ha, hb); diff != "" {
		t.Errorf("same seed, different files (-first +second):\n%s", diff)
	}
	if cmp.Equal(ha, hc) {
		t.Errorf("seeds 7 and 8 wrote identical bundles")
	}
}

// tally counts a decoded bundle the way Stats counts what was written.
func tally(b *bundle.Bundle) Stats {
	st := Stats{AccountDirs: len(b.Accounts)}
	if b.Org != nil {
		st.Accounts, st.OUs = len(b.Org.Accounts), len(b.Org.OrganizationalUnits)
		for _, p := range b.Org.Policies {
			if p.PolicySummary.Type == bundle.ServiceControlPolicy {
				st.SCPs++
			} else {
				st.RCPs++
			}
		}
	}
	for _, a := range b.Accounts {
		g := a.AuthorizationDetails
		st.Users += len(g.UserDetailList)
		st.Groups += len(g.GroupDetailList)
		st.Roles += len(g.RoleDetailList)
		for _, r := range g.RoleDetailList {
			st.InstanceProfiles += len(r.InstanceProfileList)
		}
		for _, p := range g.Policies {
			if strings.HasPrefix(p.Arn, "arn:aws:iam::aws:") {
				st.AWSManagedPolicies++
				continue
			}
			st.CustomerPolicies++
			st.PolicyVersions += len(p.PolicyVersionList)
		}
		st.Resources += len(a.Resources)
		for _, r := range a.Resources {
			if r.Policy != nil {
				st.ResourcePolicies++
			}
		}
		st.LastAccessed += len(a.LastAccessed)
		st.Credentials += len(a.CredentialReport)
	}
	return st
}

func TestBundleReadsBack(t *testing.T) {
	t.Parallel()
	dir, st := writeS(t, 1)
	b, err := bundle.Read(dir, bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Warnings) > 0 {
		t.Errorf("%d warnings, first: %s", len(b.Warnings), b.Warnings[0])
	}
	want := *st
	want.Classes, want.Escalations, want.Files, want.Bytes = ClassCounts{}, 0, 0, 0
	if diff := cmp.Diff(want, tally(b)); diff != "" {
		t.Errorf("bundle.Read counts differ from the generator's (-generator +read):\n%s", diff)
	}
	if n := st.Identities(); n < 270 || n > 330 {
		t.Errorf("S has %d identities, want about 300", n)
	}
	if st.CustomerPolicies < 200 || st.Resources < 1000 {
		t.Errorf("S has %d customer managed policies and %d resources, want them in proportion", st.CustomerPolicies, st.Resources)
	}
}

// index is what a bundle names: entities by ARN, and the documents that
// apply to each principal.
type index struct {
	exists map[string]bool
	docs   map[string][]string // principal ARN → raw documents (inline, attached, groups')
}

func indexBundle(b *bundle.Bundle) index {
	ix := index{exists: map[string]bool{}, docs: map[string][]string{}}
	for _, a := range b.Accounts {
		g := a.AuthorizationDetails
		managed := map[string]string{}
		for _, p := range g.Policies {
			ix.exists[p.Arn] = true
			if v := p.DefaultVersion(); v != nil {
				managed[p.Arn] = v.Document.Raw
			}
		}
		attached := func(arn string, inline []bundle.InlinePolicy, ms []bundle.AttachedPolicy) {
			for _, p := range inline {
				ix.docs[arn] = append(ix.docs[arn], p.PolicyDocument.Raw)
			}
			for _, m := range ms {
				ix.docs[arn] = append(ix.docs[arn], managed[m.PolicyArn])
			}
		}
		groups := map[string]bundle.Group{}
		for _, x := range g.GroupDetailList {
			groups[x.GroupName] = x
		}
		for _, u := range g.UserDetailList {
			ix.exists[u.Arn] = true
			attached(u.Arn, u.UserPolicyList, u.AttachedManagedPolicies)
			for _, name := range u.GroupList {
				attached(u.Arn, groups[name].GroupPolicyList, groups[name].AttachedManagedPolicies)
			}
		}
		for _, r := range g.RoleDetailList {
			ix.exists[r.Arn] = true
			attached(r.Arn, r.RolePolicyList, r.AttachedManagedPolicies)
		}
		for _, r := range a.Resources {
			ix.exists[r.Arn] = true
		}
	}
	return ix
}

func TestPlantedManifest(t *testing.T) {
	t.Parallel()
	dir, st := writeS(t, 3)
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(dir, bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := indexBundle(b)
	if m.Size != "S" || m.Seed != 3 || len(m.Escalations) != st.Escalations {
		t.Errorf("manifest says size %s, seed %d, %d escalations; want S, 3, %d", m.Size, m.Seed, len(m.Escalations), st.Escalations)
	}
	methods := map[string]bool{}
	for _, e := range m.Escalations {
		methods[e.Method] = true
		for _, arn := range append([]string{e.Principal, e.Target}, e.Via...) {
			if !ix.exists[arn] {
				t.Errorf("%s %s: %s is not in the bundle", e.Method, e.Principal, arn)
			}
		}
		// The principal's own policies grant every action of the method.
		text := strings.Join(ix.docs[e.Principal], "\n")
		for _, action := range strings.Split(e.Method, "+") {
			if !strings.Contains(text, action) {
				t.Errorf("%s: no policy of %s mentions %s", e.Method, e.Principal, action)
			}
		}
	}
	for _, want := range plantedMethods {
		if !methods[want] {
			t.Errorf("no planted %s", want)
		}
	}
}

func TestIdentityClasses(t *testing.T) {
	t.Parallel()
	dir, _ := writeS(t, 5)
	b, err := bundle.Read(dir, bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inOrg := map[string]bool{}
	for _, a := range b.Org.Accounts {
		inOrg[a.Id] = true
	}
	ix := indexBundle(b)
	seen := map[string]int{}
	for _, a := range b.Accounts {
		for _, r := range a.AuthorizationDetails.RoleDetailList {
			trust := r.AssumeRolePolicyDocument.Raw
			has := func(s ...string) bool {
				for _, x := range s {
					if !strings.Contains(trust, x) {
						return false
					}
				}
				return true
			}
			switch {
			case strings.HasPrefix(r.RoleName, "AWSReservedSSO_") && r.Path != "" &&
				strings.HasPrefix(r.Path, "/aws-reserved/sso.amazonaws.com/") && has(`saml-provider/AWSSSO_`, "sts:AssumeRoleWithSAML"):
				seen["human (SSO)"]++
			case strings.HasPrefix(r.Path, "/aws-service-role/"):
				seen["service-linked"]++
			case has(`"Service":"bedrock.amazonaws.com"`) && strings.Contains(r.RoleName, "-agent-"):
				seen["ai-agent"]++
				for _, d := range ix.docs[r.Arn] {
					if d == `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}` &&
						!strings.Contains(fmt.Sprint(r.AttachedManagedPolicies), "arn:aws:iam::aws:policy/AdministratorAccess") {
						seen["ai-agent with a copied AdministratorAccess"]++
					}
				}
			case has("oidc-provider/token.actions.githubusercontent.com", "StringLike", `:sub":"repo:`):
				seen["ci"]++
			case has(`"Service":"ec2.amazonaws.com"`) && len(r.InstanceProfileList) > 0:
				seen["workload (EC2 with instance profile)"]++
			case has(`"Service":"lambda.amazonaws.com"`), has(`"Service":"ecs-tasks.amazonaws.com"`):
				seen["workload"]++
			case has("sts:ExternalId"):
				if acct := strings.Split(trust, "arn:aws:iam::")[1][:12]; !inOrg[acct] {
					seen["third-party"]++
				}
			case has(`"AWS":"arn:aws:iam::`):
				acct := strings.Split(trust, "arn:aws:iam::")[1][:12]
				if inOrg[acct] && acct != a.ID {
					seen["cross-account"]++
				}
			}
		}
		for _, c := range a.CredentialReport {
			if c.PasswordEnabled && c.MFAActive {
				seen["human (IAM user, console and MFA)"]++
			}
			if c.PasswordEnabled && !c.MFAActive {
				seen["human (IAM user, console, no MFA)"]++
			}
			if c.AccessKeys[0].Active {
				seen["IAM user with an access key"]++
			}
		}
	}
	for _, class := range []string{"human (SSO)", "human (IAM user, console and MFA)", "human (IAM user, console, no MFA)",
		"IAM user with an access key", "workload", "workload (EC2 with instance profile)", "ai-agent",
		"ai-agent with a copied AdministratorAccess", "ci", "third-party", "cross-account", "service-linked"} {
		if seen[class] == 0 {
			t.Errorf("no %s identity; seen: %v", class, seen)
		}
	}
}

func TestWriteRefusesNonEmpty(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(t.Context(), out, Options{Size: S, Seed: 1}); !errors.Is(err, ErrExists) {
		t.Fatalf("Write into a non-empty directory: err = %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(out, "keep")); err != nil {
		t.Fatalf("refused Write touched the directory: %v", err)
	}
	if _, err := Write(t.Context(), out, Options{Size: S, Seed: 1, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "keep")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--force left the old content: %v", err)
	}
	ents, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Errorf("temporary directories left behind: %v", ents)
	}
}

func TestWriteCanceled(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Write(ctx, filepath.Join(parent, "out"), Options{Size: S, Seed: 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with a canceled context: err = %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("canceled Write left %v", ents)
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Size
		err  bool
	}{{"S", S, false}, {"m", M, false}, {"L", L, false}, {"xl", XL, false}, {"XXL", 0, true}, {"", 0, true}}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseSize(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestSizeM logs how long M takes; it does not read it back.
func TestSizeM(t *testing.T) {
	if testing.Short() {
		t.Skip("M is skipped with -short")
	}
	t.Parallel()
	start := time.Now()
	st, err := Write(t.Context(), filepath.Join(t.TempDir(), "m"), Options{Size: M, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("M: %v, %d bytes in %d files, %d accounts, %d identities, %d customer managed policies, %d resources",
		time.Since(start), st.Bytes, st.Files, st.AccountDirs, st.Identities(), st.CustomerPolicies, st.Resources)
	if n := st.Identities(); n < 2700 || n > 3300 {
		t.Errorf("M has %d identities, want about 3,000", n)
	}
}

// BenchmarkSynthL measures generating an L bundle (50 accounts, 25,000
// identities): go test ./ingest/synth -run '^$' -bench SynthL -benchtime 1x
func BenchmarkSynthL(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	var st *Stats
	i := 0
	for b.Loop() {
		var err error
		i++
		if st, err = Write(b.Context(), filepath.Join(dir, fmt.Sprint(i)), Options{Size: L, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Bytes), "bytes/bundle")
	b.ReportMetric(float64(st.Identities()), "identities")
	b.ReportMetric(float64(st.CustomerPolicies), "policies")
	b.ReportMetric(float64(st.Resources), "resources")
}
