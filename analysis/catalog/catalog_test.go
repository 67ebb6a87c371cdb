package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/permgraph/permgraph/internal/testutil"
)

// sourceCatalog is the part of iam-catalog.json the tests compare with.
type sourceCatalog struct {
	Source struct {
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	} `json:"source"`
	Services map[string]struct {
		Name    string `json:"name"`
		Actions map[string]struct {
			Name          string        `json:"name"`
			AccessLevel   string        `json:"accessLevel"`
			ResourceTypes []ResourceRef `json:"resourceTypes"`
			ConditionKeys []string      `json:"conditionKeys"`
		} `json:"actions"`
		ResourceTypes map[string]struct {
			Key           string   `json:"key"`
			ARN           string   `json:"arn"`
			ConditionKeys []string `json:"conditionKeys"`
		} `json:"resourceTypes"`
		ConditionKeys map[string]ConditionKey `json:"conditionKeys"`
	} `json:"services"`
	RCPSupportedServices []string `json:"rcpSupportedServices"`
}

func loadSource(t testing.TB) *sourceCatalog {
	t.Helper()
	path := testutil.SharedData(t, "iam-catalog/iam-catalog.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var src sourceCatalog
	if err := json.Unmarshal(b, &src); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &src
}

func mustLoad(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoad(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	if got, want := c.Len(), 22091; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	if got, want := len(c.Services()), 456; got != want {
		t.Errorf("len(Services()) = %d, want %d", got, want)
	}
	version, updatedAt := c.Source()
	if version != "0.21.202609261" || updatedAt != "2026-09-26T04:46:59.905Z" {
		t.Errorf("Source() = %q, %q; want 0.21.202609261, 2026-09-26T04:46:59.905Z", version, updatedAt)
	}
	if Embedded() != Embedded() {
		t.Error("Embedded() returned two different catalogs")
	}
}

func TestEmbeddedSize(t *testing.T) {
	t.Parallel()
	const limit = 3 << 20
	if len(embedded) > limit {
		t.Errorf("catalog.bin.gz is %d bytes, over the %d-byte budget", len(embedded), limit)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	t.Parallel()
	raw := gunzip(t, embedded)
	tests := []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("arn:aws:s3:::bucket")},
		{"bad magic", gzipBytes(t, append([]byte("other/1\n"), raw[len(magic):]...))},
		{"truncated header", gzipBytes(t, raw[:len(magic)+3])},
		{"truncated body", gzipBytes(t, raw[:len(raw)*3/4])},
		{"trailing bytes", gzipBytes(t, append(slices.Clone(raw), 0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if c, err := decode(tt.data); err == nil {
				t.Errorf("decode succeeded with %d actions, want an error", c.Len())
			}
		})
	}
}

func TestIDOrder(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	prev := ""
	for id := range c.Len() {
		a := c.ActionByID(id)
		key := strings.ToLower(a.String())
		if a.ID != id {
			t.Fatalf("ActionByID(%d).ID = %d", id, a.ID)
		}
		if key <= prev {
			t.Fatalf("action %d %q does not sort after %q", id, key, prev)
		}
		prev = key
	}
}

// TestRoundTrip checks every service, action, resource type and condition
// key of the source against the embedded catalog.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	src, c := loadSource(t), mustLoad(t)
	version, updatedAt := c.Source()
	if version != src.Source.Version || updatedAt != src.Source.UpdatedAt {
		t.Errorf("Source() = %q, %q; source says %q, %q", version, updatedAt, src.Source.Version, src.Source.UpdatedAt)
	}
	if got, want := c.Services(), slices.Sorted(maps.Keys(src.Services)); !slices.Equal(got, want) {
		t.Errorf("Services() mismatch (-want +got):\n%s", cmp.Diff(want, got))
	}
	for _, p := range src.RCPSupportedServices {
		if !c.RCPSupported(p) {
			t.Errorf("RCPSupported(%q) = false", p)
		}
	}
	empty := cmpopts.EquateEmpty()
	nActions := 0
	for prefix, ss := range src.Services {
		s, ok := c.Service(prefix)
		if !ok {
			t.Errorf("Service(%q) not found", prefix)
			continue
		}
		if s.Name != ss.Name || len(s.Actions) != len(ss.Actions) {
			t.Errorf("Service(%q) = %q with %d actions, want %q with %d", prefix, s.Name, len(s.Actions), ss.Name, len(ss.Actions))
		}
		for _, sa := range ss.Actions {
			nActions++
			got, ok := c.Lookup(prefix + ":" + sa.Name)
			if !ok {
				t.Errorf("Lookup(%s:%s) not found", prefix, sa.Name)
				continue
			}
			want := Action{ID: got.ID, Service: prefix, Name: sa.Name, ResourceTypes: sa.ResourceTypes, ConditionKeys: sa.ConditionKeys}
			got.Level, got.Tagging, got.PermissionsManagement = 0, false, false
			if diff := cmp.Diff(want, got, empty); diff != "" {
				t.Errorf("%s:%s mismatch (-want +got):\n%s", prefix, sa.Name, diff)
			}
			if lt := levelText(c.ActionByID(got.ID)); lt != sa.AccessLevel {
				t.Errorf("%s:%s: access level %q, want %q", prefix, sa.Name, lt, sa.AccessLevel)
			}
		}
		var wantRT []ResourceType
		for _, k := range slices.Sorted(maps.Keys(ss.ResourceTypes)) {
			rt := ss.ResourceTypes[k]
			wantRT = append(wantRT, ResourceType{Service: prefix, Key: rt.Key, ARN: rt.ARN, ConditionKeys: rt.ConditionKeys})
		}
		if diff := cmp.Diff(wantRT, s.ResourceTypes, empty); diff != "" {
			t.Errorf("Service(%q).ResourceTypes mismatch (-want +got):\n%s", prefix, diff)
		}
		for _, ck := range ss.ConditionKeys {
			got, ok := s.ConditionKey(strings.ToUpper(ck.Key))
			if !ok || got != ck {
				t.Errorf("Service(%q).ConditionKey(%q) = %v, %v; want %v", prefix, ck.Key, got, ok, ck)
			}
		}
		if len(s.ConditionKeys) != len(ss.ConditionKeys) {
			t.Errorf("Service(%q) has %d condition keys, want %d", prefix, len(s.ConditionKeys), len(ss.ConditionKeys))
		}
	}
	if nActions != c.Len() {
		t.Errorf("source has %d actions, catalog %d", nActions, c.Len())
	}
}

// levelText rebuilds the access level as the source spells it.
func levelText(a Action) string {
	switch {
	case a.PermissionsManagement:
		return a.Level.String() + ", Write"
	case a.Tagging:
		return a.Level.String() + ", Write"
	}
	return a.Level.String()
}

func TestLookup(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	tests := []struct {
		in         string
		want       string // "" when not found
		level      AccessLevel
		privileged bool
		wildcard   bool
	}{
		{"s3:GetObject", "s3:GetObject", Read, false, false},
		{"S3:getobject", "s3:GetObject", Read, false, false},
		{"ssm:sendCommand", "ssm:SendCommand", Write, false, false},
		{"iam:PutRolePolicy", "iam:PutRolePolicy", PermissionsManagement, true, false},
		{"iam:TagRole", "iam:TagRole", Tagging, false, false},
		{"s3:ListAllMyBuckets", "s3:ListAllMyBuckets", List, false, true},
		{"s3:Get*", "", 0, false, false},
		{"s3:GetObjectX", "", 0, false, false},
		{"nosuch:GetObject", "", 0, false, false},
		{"s3GetObject", "", 0, false, false},
		{"s3:PutBuc\u212aetTagging", "", 0, false, false}, // Kelvin sign is not ASCII K
		{strings.Repeat("s3:GetObject", 10), "", 0, false, false},
	}
	for _, tt := range tests {
		a, ok := c.Lookup(tt.in)
		if ok != (tt.want != "") || c.Exists(tt.in) != ok {
			t.Errorf("Lookup(%q) found = %v, Exists = %v; want %v", tt.in, ok, c.Exists(tt.in), tt.want != "")
			continue
		}
		if !ok {
			continue
		}
		if a.String() != tt.want || a.Level != tt.level || a.Privileged() != tt.privileged || a.WildcardOnly() != tt.wildcard {
			t.Errorf("Lookup(%q) = %v level %v privileged %v wildcard-only %v; want %v %v %v %v",
				tt.in, a, a.Level, a.Privileged(), a.WildcardOnly(), tt.want, tt.level, tt.privileged, tt.wildcard)
		}
	}
}

func TestServices(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	for _, tt := range []struct {
		prefix      string
		exists, rcp bool
	}{
		{"s3", true, true}, {"S3", true, true}, {"iam", true, false}, {"kms", true, true},
		{"sts", true, true}, {"ec2", true, false}, {"nosuch", false, false}, {"", false, false},
	} {
		if got := c.ServiceExists(tt.prefix); got != tt.exists {
			t.Errorf("ServiceExists(%q) = %v, want %v", tt.prefix, got, tt.exists)
		}
		if got := c.RCPSupported(tt.prefix); got != tt.rcp {
			t.Errorf("RCPSupported(%q) = %v, want %v", tt.prefix, got, tt.rcp)
		}
	}
	s, _ := c.Service("s3")
	if ck, ok := s.ConditionKey("S3:PREFIX"); !ok || ck != (ConditionKey{Key: "s3:prefix", Type: "String"}) {
		t.Errorf(`ConditionKey("S3:PREFIX") = %v, %v`, ck, ok)
	}
	if _, ok := s.ConditionKey("s3:nosuch"); ok {
		t.Error(`ConditionKey("s3:nosuch") found`)
	}
	for _, a := range s.Actions {
		if a.Service != "s3" {
			t.Fatalf("Service(s3).Actions holds %v", a)
		}
	}
}

func TestAccessLevelString(t *testing.T) {
	t.Parallel()
	want := []string{"AccessLevel(0)", "List", "Read", "Write", "Permissions management", "Tagging", "AccessLevel(6)"}
	var got []string
	for l := range AccessLevel(len(want)) {
		got = append(got, l.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AccessLevel.String mismatch (-want +got):\n%s", diff)
	}
}

// TestGenerated checks that catalog.bin.gz is what gen.go makes from the
// shared data today. It compares the decompressed bytes, so that a change
// in the Go release's compressor does not count as stale data.
func TestGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	t.Parallel()
	in := testutil.SharedData(t, "iam-catalog/iam-catalog.json")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v", err)
	}
	out := filepath.Join(t.TempDir(), "catalog.bin.gz")
	cmd := exec.Command(gobin, "run", "gen.go", "-i", in, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gunzip(t, got), gunzip(t, embedded)) {
		t.Error("catalog.bin.gz is stale: run go generate ./analysis/catalog")
	}
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/load")
}

func BenchmarkLookup(b *testing.B) {
	c := mustLoad(b)
	b.ReportAllocs()
	for b.Loop() {
		if !c.Exists("S3:GetObject") {
			b.Fatal("s3:GetObject not found")
		}
	}
}
