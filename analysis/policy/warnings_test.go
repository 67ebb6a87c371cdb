package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompileWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"known actions", doc(stmt("Allow", "s3:GetObject", "*")), nil},
		{"wildcards are not checked action by action", doc(stmt("Allow", "s3:Get*", "*")), nil},
		{"unknown action", doc(stmt("Allow", "s3:GetObjekt", "*")), []string{`Statement[0].Action: unknown action "s3:GetObjekt"`}},
		{"unknown service", doc(`{"Effect":"Deny","NotAction":"nosuchsvc:*","Resource":"*"}`), []string{`Statement[0].NotAction: unknown service "nosuchsvc"`}},
		{"case does not matter", doc(stmt("Allow", "S3:GETOBJECT", "*")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := MustCompile(tt.name, tt.doc)
			if diff := cmp.Diff(tt.want, c.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
