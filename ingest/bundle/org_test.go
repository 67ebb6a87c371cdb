package bundle

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const orgHead = `{"Organization":{"Id":"o-1"},"Roots":[{"Id":"r-1","Name":"Root"}],`

const scp = `"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"`

func TestDecodeOrgErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"dangling OU parent", orgHead + `"OrganizationalUnits":[{"Id":"ou-1","ParentId":"r-1"},{"Id":"ou-2","ParentId":"ou-9"}]}`,
			`org.json: OrganizationalUnits[1].ParentId: "ou-9" is not a root or OU in the file`},
		{"dangling account parent", orgHead + `"Accounts":[{"Id":"111111111111","ParentId":"ou-1"}]}`,
			`org.json: Accounts[0].ParentId: "ou-1" is not a root or OU in the file`},
		{"account under an account", orgHead + `"Accounts":[{"Id":"111111111111","ParentId":"r-1"},{"Id":"222222222222","ParentId":"111111111111"}]}`,
			`org.json: Accounts[1].ParentId: "111111111111" is not a root or OU in the file`},
		{"OU cycle", orgHead + `"OrganizationalUnits":[{"Id":"ou-1","ParentId":"ou-2"},{"Id":"ou-2","ParentId":"ou-1"}]}`,
			`org.json: OrganizationalUnits[0].ParentId: the OUs above ou-1 form a cycle`},
		{"dangling target", orgHead + `"Policies":[{"PolicySummary":{"Id":"p-1","Type":"SERVICE_CONTROL_POLICY"},"Content":` + scp + `,"Targets":[{"TargetId":"r-1"},{"TargetId":"ou-7"}]}]}`,
			`org.json: Policies[0].Targets[1].TargetId: "ou-7" is not a root, OU or account in the file`},
		{"tag policy", orgHead + `"Policies":[{"PolicySummary":{"Id":"p-1","Type":"TAG_POLICY"},"Content":"{}"}]}`,
			`org.json: Policies[0].PolicySummary.Type: "TAG_POLICY" is not SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY`},
		{"bad SCP content", orgHead + `"Policies":[{"PolicySummary":{"Id":"p-1","Type":"SERVICE_CONTROL_POLICY"},"Content":"{\"Statement\":[{\"Effect\":\"Deny\"}]}"}]}`,
			`org.json: Policies[0].Content: Statement[0]: missing element "Action" or "NotAction"`},
		{"bad account id", orgHead + `"Accounts":[{"Id":"1234","ParentId":"r-1"}]}`,
			`org.json: Accounts[0].Id: "1234" is not a 12-digit account id`},
		{"no Organization", `{"Roots":[]}`, `org.json: Organization: missing`},
		{"bad joined date", orgHead + `"Accounts":[{"Id":"111111111111","ParentId":"r-1","JoinedTimestamp":"1700000000"}]}`,
			`org.json: Accounts[0].JoinedTimestamp: "1700000000" is not an ISO 8601 or Python datetime date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeOrg("org.json", strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeOrgSkipInvalid(t *testing.T) {
	in := orgHead + `"Policies":[{"PolicySummary":{"Id":"p-1","Type":"SERVICE_CONTROL_POLICY"},"Content":"{\"Statement\":[]}"},` +
		`{"PolicySummary":{"Id":"p-2","Type":"RESOURCE_CONTROL_POLICY"},"Content":` + scp + `,"Targets":[{"TargetId":"r-1","Type":"ROOT"}]}]}`
	org, err := Options{SkipInvalid: true}.DecodeOrg("org.json", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(org.Policies) != 1 || org.Policies[0].PolicySummary.Id != "p-2" {
		t.Errorf("policies kept: %+v", org.Policies)
	}
	want := []string{"org.json: Policies[0].Content: Statement: must not be empty (Policies[0] dropped)"}
	if diff := cmp.Diff(want, org.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
