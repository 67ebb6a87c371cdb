package ingest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/internal/testutil"
)

// scpExample is one policy file of the shared SCP/RCP example sets.
type scpExample struct {
	rel     string
	content string
	rcp     bool
}

// invalidExamples are the example files AWS itself would reject; the parser
// tests (analysis/policy/corpus_test.go) say why for each.
var invalidExamples = map[string]string{
	"aws-samples-service-control-policy-examples/Service-specific-controls/AWS-IAM/deny-service-specific-credential-by-type.json": "invalid JSON",
	"aws-samples-resource-control-policy-examples/Service-specific-controls/STS-protect-IAMRA-session-tags.json":                  "unknown operator",
}

func loadSCPExamples(t *testing.T) []scpExample {
	t.Helper()
	dir := testutil.SharedData(t, "scp-examples")
	var out []scpExample
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		ex := scpExample{rel: filepath.ToSlash(rel), content: string(raw)}
		// An RCP names a Principal in every statement; an SCP never does.
		if p, err := policy.Parse(raw); err == nil && len(p.Statements) > 0 {
			ex.rcp = p.Statements[0].Principal != nil
		}
		out = append(out, ex)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

// orgWith writes an org bundle whose root has the given policies attached.
func orgWith(t *testing.T, exs []scpExample) string {
	t.Helper()
	var pols []map[string]any
	for i, ex := range exs {
		typ, kind := "SERVICE_CONTROL_POLICY", "service_control_policy"
		if ex.rcp {
			typ, kind = "RESOURCE_CONTROL_POLICY", "resource_control_policy"
		}
		id := fmt.Sprintf("p-example%04d", i)
		pols = append(pols, map[string]any{
			"PolicySummary": map[string]any{"Id": id, "Name": filepath.Base(ex.rel), "Type": typ,
				"Arn": "arn:aws:organizations::111111111111:policy/o-exampleorgid/" + kind + "/" + id},
			"Content": ex.content,
			"Targets": []map[string]any{{"TargetId": "r-ab12", "Type": "ROOT", "Name": "Root"}},
		})
	}
	org := map[string]any{
		"Organization": map[string]any{"Id": "o-exampleorgid", "MasterAccountId": "111111111111"},
		"Roots":        []map[string]any{{"Id": "r-ab12", "Name": "Root"}},
		"Accounts":     []map[string]any{{"Id": "111111111111", "Name": "mgmt", "ParentId": "r-ab12"}},
		"Policies":     pols,
	}
	dir := t.TempDir()
	data, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "organization.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBuildSCPExamples ingests every real SCP and RCP example attached to an
// org root and checks that each becomes a policy node of its kind.
func TestBuildSCPExamples(t *testing.T) {
	all := loadSCPExamples(t)
	var valid []scpExample
	wantSCP, wantRCP := 0, 0
	for _, ex := range all {
		if _, bad := invalidExamples[ex.rel]; bad {
			continue
		}
		valid = append(valid, ex)
		if ex.rcp {
			wantRCP++
		} else {
			wantSCP++
		}
	}
	if len(valid) != len(all)-len(invalidExamples) {
		t.Fatalf("%d of the invalid examples were not found", len(all)-len(valid)-len(invalidExamples))
	}
	b, err := bundle.Read(orgWith(t, valid), bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Build(b, Options{Source: "scp-examples"})
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Meta.Counts; got.SCPs != wantSCP || got.RCPs != wantRCP {
		t.Errorf("counts: scps=%d rcps=%d, want scps=%d rcps=%d", got.SCPs, got.RCPs, wantSCP, wantRCP)
	}
	t.Logf("%d SCP and %d RCP examples ingested", wantSCP, wantRCP)
}

// TestBuildSCPExampleInvalid: an example AWS would reject fails the read,
// naming organization.json and the policy's place in it.
func TestBuildSCPExampleInvalid(t *testing.T) {
	for _, ex := range loadSCPExamples(t) {
		want, bad := invalidExamples[ex.rel]
		if !bad {
			continue
		}
		_, err := bundle.Read(orgWith(t, []scpExample{ex}), bundle.Options{})
		if err == nil || !strings.Contains(err.Error(), "organization.json: Policies[0].Content") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want one naming organization.json: Policies[0].Content and %q", ex.rel, err, want)
		}
	}
}
