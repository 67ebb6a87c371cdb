package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/spf13/cobra"
)

const residualLong = `residual answers "if these grants are revoked, can the principal still do
it?" on a counterfactual copy of a stored snapshot (the current one unless
--snapshot says otherwise), listing every path by which the access survives:
the principal's own policies (its groups', a resource policy naming it), and
chains of role assumptions (at most 5 hops, at most 50 paths, shortest
first). The store is not changed.

--revoke REVOCATION is given once per revocation, one of
  policy-attachment:PRINCIPAL_ARN,POLICY_ARN   detach a managed policy from a user, group or role
  inline-policy:PRINCIPAL_ARN,POLICY_NAME      delete an inline policy
  group-membership:USER_ARN,GROUP_ARN          remove a user from a group
  trust-statement:ROLE_ARN,SID                 delete a trust policy statement (its Sid, or its 0-based index)
  boundary:PRINCIPAL_ARN                       remove a permissions boundary (this can only widen access)
  resource-policy-statement:RESOURCE_ARN,SID   delete a resource policy statement (Sid or index)
Revocations are made in order; one naming something the snapshot does not
hold is an error.

With -o json it prints {"still_allowed","decision","paths":[{"steps":[{"from",
"to","edge","evidence"}]}]}: decision is allow if some path holds
unconditionally, conditional if every surviving path depends on context
keys (--context fills them in), else the direct request's denial.

The audit form
  permgraph residual --audit --grants FILE
reads a JSON list of expired just-in-time grants
  [{"id","principal","actions":[...],"resources":[...],"expired":"RFC 3339","revocations":[REVOCATION,...]}]
and prints, per grant, each (action, resource) still allowed or conditional
after its revocations, with the paths: {"grants":[{"id","still_effective":
[{"action","resource","decision","paths"}]}]}. An empty still_effective
means the grant is really gone. A revocation already in effect in the
snapshot is skipped.`

type residualFlags struct {
	snap            canSnapshotFlags
	revoke, context []string
	contextComplete bool
	audit           bool
	grants          string
}

func newResidualCmd(g *globals) *cobra.Command {
	f := &residualFlags{}
	cmd := &cobra.Command{
		Use:   "residual PRINCIPAL ACTION RESOURCE --revoke REVOCATION ... | residual --audit --grants FILE",
		Short: "Check what access survives revoking grants, on a counterfactual snapshot",
		Long:  residualLong,
		Example: `  permgraph residual arn:aws:iam::111122223333:user/alice s3:GetObject arn:aws:s3:::reports/q1.csv \
    --revoke policy-attachment:arn:aws:iam::111122223333:user/alice,arn:aws:iam::111122223333:policy/reports-read \
    --revoke group-membership:arn:aws:iam::111122223333:user/alice,arn:aws:iam::111122223333:group/analysts
  permgraph residual --audit --grants expired.json -o json`,
		RunE: func(cmd *cobra.Command, args []string) error { return runResidual(cmd.Context(), g, f, args) },
	}
	fl := cmd.Flags()
	addCanSnapshotFlags(cmd, &f.snap)
	// NOTE(residual): StringArray, not StringSlice: revocations hold commas.
	fl.StringArrayVar(&f.revoke, "revoke", nil, "a revocation KIND:TARGET[,OBJECT] (repeat for several)")
	fl.StringArrayVar(&f.context, "context", nil, "condition key as KEY=VALUE (repeat a key for several values)")
	fl.BoolVar(&f.contextComplete, "context-complete", false, "treat context keys not given as absent rather than unknown")
	fl.BoolVar(&f.audit, "audit", false, "audit the expired grants of --grants instead of one request")
	fl.StringVar(&f.grants, "grants", "", "with --audit: JSON file of expired grants")
	return cmd
}

func runResidual(ctx context.Context, g *globals, f *residualFlags, args []string) error {
	if f.audit {
		return runAudit(ctx, g, f, args)
	}
	if f.grants != "" {
		return errors.New("--grants goes with --audit")
	}
	if len(args) != 3 {
		return fmt.Errorf("residual takes PRINCIPAL ACTION RESOURCE, got %d argument(s)", len(args))
	}
	revs := make([]analysis.Revocation, 0, len(f.revoke))
	for _, s := range f.revoke {
		r, err := analysis.ParseRevocation(s)
		if err != nil {
			return fmt.Errorf("--revoke: %w", err)
		}
		revs = append(revs, r)
	}
	extra, err := contextMapFlags(f.context)
	if err != nil {
		return err
	}
	snap, err := loadSnapshot(g, &f.snap)
	if err != nil {
		return err
	}
	res, err := analysis.Residual(ctx, snap, revs, analysis.CanQuery{Principal: args[0], Action: args[1], Resource: args[2],
		Context: extra, Complete: f.contextComplete})
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	return printResidual(g, res)
}

func runAudit(ctx context.Context, g *globals, f *residualFlags, args []string) error {
	switch {
	case len(args) > 0:
		return fmt.Errorf("residual --audit takes no arguments, got %d", len(args))
	case len(f.revoke) > 0 || len(f.context) > 0:
		return errors.New("residual --audit reads its revocations from --grants; remove --revoke and --context")
	case f.grants == "":
		return errors.New("residual --audit needs --grants FILE")
	}
	grants, err := readGrants(f.grants)
	if err != nil {
		return err
	}
	snap, err := loadSnapshot(g, &f.snap)
	if err != nil {
		return err
	}
	res, err := analysis.Audit(ctx, snap, grants)
	if err != nil {
		return fmt.Errorf("%s: %w", f.grants, err)
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	t := newTable(g.stdout, "GRANT", "ACTION", "RESOURCE", "DECISION", "PATHS")
	for _, ga := range res.Grants {
		if len(ga.StillEffective) == 0 {
			t.row(ga.ID, "-", "-", "gone", "0")
		}
		for _, a := range ga.StillEffective {
			t.row(ga.ID, a.Action, a.Resource, a.Decision.String(), fmt.Sprint(len(a.Paths)))
		}
	}
	return t.flush()
}

// readGrants reads a grants file strictly: unknown fields are errors, and
// every grant needs an id, a principal, actions and resources.
func readGrants(path string) ([]analysis.Grant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var grants []analysis.Grant
	if err := dec.Decode(&grants); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, gr := range grants {
		switch {
		case gr.ID == "":
			return nil, fmt.Errorf("%s: grants[%d]: no id", path, i)
		case gr.Principal == "" || len(gr.Actions) == 0 || len(gr.Resources) == 0:
			return nil, fmt.Errorf("%s: grants[%d] %q: principal, actions and resources are required", path, i, gr.ID)
		}
	}
	return grants, nil
}

// printResidual writes the answer for people: the verdict, then each path
// as a chain with the policies that allow its last step.
func printResidual(g *globals, res analysis.ResidualResult) error {
	verdict := "no"
	if res.StillAllowed {
		verdict = "yes"
	}
	fmt.Fprintf(g.stdout, "still allowed: %s (%s)\n", verdict, res.Decision)
	t := newTable(g.stdout, "PATH", "STEPS", "ALLOWED BY")
	for i, p := range res.Paths {
		var chain []string
		for _, s := range p.Steps {
			chain = append(chain, s.From+" -"+string(s.Kind)+"->")
		}
		last := p.Steps[len(p.Steps)-1]
		chain = append(chain, last.To)
		var by []string
		for _, ev := range last.Evidence {
			for _, r := range ev.Reasons {
				if r.Effect == policy.Allow {
					by = append(by, cmp.Or(r.Sid, fmt.Sprint(r.Statement))+"@"+r.Policy)
				}
			}
			if len(ev.MissingContext) > 0 {
				by = append(by, "if "+strings.Join(ev.MissingContext, ","))
			}
		}
		t.row(fmt.Sprint(i+1), strings.Join(chain, " "), strings.Join(by, " "))
	}
	return t.flush()
}
