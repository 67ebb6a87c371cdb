package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/spf13/cobra"
)

const canLong = `can decides one request against IAM policy files, the way AWS would, and
explains the decision with the statements that made it.

The decision is allow, explicit-deny, implicit-deny, or conditional when it
depends on context keys the request did not supply (listed as missing
context). Pass --context-complete to treat keys not given with --context as
absent, as in a real AWS request, so that the answer is never conditional.

Policy files hold one policy each: a JSON document, the URL-encoded form the
IAM API returns, or a JSON string holding either. Explanations name a policy
by its file's base name.

--scp and --rcp are given once per level, in order from the organization root
through each OU to the account. Join the policies attached at one level with
'+': --scp root.json --scp ou-a.json+ou-b.json --scp account.json. The
AWS-managed RCPFullAWSAccess is implicit at every RCP level.

--context KEY=VALUE sets a condition key; repeat it with the same key for a
multi-valued key (values are not split on commas).

With --batch FILE (or - for standard input) can reads one request per line,
as JSON, and writes one result per line in input order; see 'Batch format'.

Exit status is 0 whatever the decision (the decision is data), 2 for bad flags
or policy files, and, with --batch, 1 when any line failed.` + batchHelp + canSnapshotHelp

// canFlags holds the flags of one "can" request.
type canFlags struct {
	principal, action, resource        string
	resourceAccount, managementAccount string
	identity, boundary, session        []string
	resourcePolicy                     string
	scps, rcps, context                []string
	contextComplete                    bool
	batch                              string
}

func newCanCmd(g *globals) *cobra.Command {
	var (
		f  canFlags
		sf canSnapshotFlags
	)
	cmd := &cobra.Command{
		Use:   "can --principal ARN --action SERVICE:ACTION --resource ARN [policy flags] | can [--data DIR] PRINCIPAL ACTION RESOURCE",
		Short: "Decide whether a principal can perform an action on a resource, and why",
		Long:  canLong,
		Example: `  permgraph can --principal arn:aws:iam::111122223333:role/agent \
    --action s3:DeleteBucket --resource arn:aws:s3:::prod-data \
    --identity-policy admin.json --scp root.json --scp ou.json+guardrails.json \
    --context aws:RequestedRegion=eu-west-1
  permgraph can --batch requests.jsonl -o json`,
		Args: cobra.MaximumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if usesSnapshot(cmd, args) {
				return runCanSnapshot(cmd.Context(), cmd, g, &sf, &f, args)
			}
			if f.batch != "" {
				if err := checkBatchFlags(cmd); err != nil {
					return err
				}
				return runBatch(g, f.batch)
			}
			return runCan(g, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.principal, "principal", "", "the caller: an IAM user or role ARN, a session ARN, a service principal, or anonymous")
	fl.StringVar(&f.action, "action", "", "the action, as service:Action")
	fl.StringVar(&f.resource, "resource", "", `the resource ARN, or "*" for actions without a resource`)
	fl.StringVar(&f.resourceAccount, "resource-account", "", "the account owning the resource (default: from the ARN, else the principal's)")
	fl.StringVar(&f.managementAccount, "management-account", "", "the organization's management account, whose principals SCPs do not restrict")
	fl.StringArrayVar(&f.identity, "identity-policy", nil, "identity-based policy file (repeatable)")
	fl.StringArrayVar(&f.boundary, "boundary", nil, "permissions boundary policy file (repeatable)")
	fl.StringArrayVar(&f.session, "session-policy", nil, "session policy file (repeatable)")
	fl.StringVar(&f.resourcePolicy, "resource-policy", "", "resource-based policy file (bucket policy, trust policy, key policy...)")
	fl.StringArrayVar(&f.scps, "scp", nil, "SCP files of one level, root first, joined with '+' (repeat per level)")
	fl.StringArrayVar(&f.rcps, "rcp", nil, "RCP files of one level, root first, joined with '+' (repeat per level)")
	fl.StringArrayVar(&f.context, "context", nil, "condition key as KEY=VALUE (repeat a key for several values)")
	fl.BoolVar(&f.contextComplete, "context-complete", false, "treat context keys not given as absent rather than unknown")
	fl.StringVar(&f.batch, "batch", "", "read JSON requests, one per line, from this file (- for standard input)")
	addCanSnapshotFlags(cmd, &sf)
	return cmd
}

// checkBatchFlags rejects the flags of a single request next to --batch,
// whose lines carry everything themselves.
func checkBatchFlags(cmd *cobra.Command) error {
	var bad []string
	for _, name := range []string{"principal", "action", "resource", "resource-account", "management-account",
		"identity-policy", "boundary", "session-policy", "resource-policy", "scp", "rcp", "context", "context-complete"} {
		if cmd.Flags().Changed(name) {
			bad = append(bad, "--"+name)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("--batch takes the request from each line; remove %s", strings.Join(bad, ", "))
	}
	return nil
}

func runCan(g *globals, f *canFlags) error {
	for _, req := range []struct{ flag, val string }{
		{"principal", f.principal}, {"action", f.action}, {"resource", f.resource}} {
		if req.val == "" {
			return fmt.Errorf("--%s is required (or use --batch)", req.flag)
		}
	}
	set, warns, err := loadSet(f)
	if err != nil {
		return err
	}
	ctx, err := parseContextFlags(f.context)
	if err != nil {
		return err
	}
	ctx.Complete = f.contextComplete
	req, err := policy.NewRequest(policy.Request{Principal: f.principal, Action: f.action, Resource: f.resource,
		ResourceAccount: f.resourceAccount, ManagementAccount: f.managementAccount, Context: ctx})
	if err != nil {
		return err
	}
	for _, w := range warns {
		g.log.Warn().Str("policy", w.policy).Str("warning", w.text).Msg("policy warning")
	}
	res := policy.Evaluate(req, set)
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	return printResultTable(g, &res)
}

// policyWarning is a compile warning of one policy file.
type policyWarning struct{ policy, text string }

// loadSet reads and compiles every policy file named by the flags.
func loadSet(f *canFlags) (*policy.Set, []policyWarning, error) {
	l := &policyLoader{}
	set := &policy.Set{
		Identity: l.files(f.identity),
		Boundary: l.files(f.boundary),
		Session:  l.files(f.session),
		SCPs:     l.levels(f.scps),
		RCPs:     l.levels(f.rcps),
	}
	if f.resourcePolicy != "" {
		set.Resource = l.file(f.resourcePolicy)
	}
	return set, l.warns, l.err
}

// policyLoader compiles policy files, keeping the first error and every
// warning, so that loadSet reads as a list of layers.
type policyLoader struct {
	warns []policyWarning
	err   error
}

func (l *policyLoader) files(paths []string) []*policy.Compiled {
	if paths == nil {
		return nil // the layer is absent
	}
	out := make([]*policy.Compiled, 0, len(paths))
	for _, p := range paths {
		if c := l.file(p); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// levels reads one level per flag value, its files joined with '+'.
func (l *policyLoader) levels(flags []string) [][]*policy.Compiled {
	if flags == nil {
		return nil
	}
	out := make([][]*policy.Compiled, 0, len(flags))
	for _, lv := range flags {
		out = append(out, l.files(strings.Split(lv, "+")))
	}
	return out
}

func (l *policyLoader) file(path string) *policy.Compiled {
	if l.err != nil {
		return nil
	}
	c, err := compilePolicyFile(path)
	if err != nil {
		l.err = err
		return nil
	}
	for _, w := range c.Warnings {
		l.warns = append(l.warns, policyWarning{policy: path, text: w})
	}
	return c
}

// compilePolicyFile reads, parses and compiles the policy in path, named by
// its base name. Errors start with path, then the location in the document.
func compilePolicyFile(path string) (*policy.Compiled, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	p, err := policy.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	name := filepath.Base(path)
	c, err := policy.Compile(name, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, trimName(err, name))
	}
	return c, nil
}

// trimName drops the "name: " prefix policy.Compile puts on its errors, so
// that the caller can name the file by its full path instead.
func trimName(err error, name string) error {
	if inner := errors.Unwrap(err); inner != nil && err.Error() == name+": "+inner.Error() {
		return inner
	}
	return err
}

// parseContextFlags turns KEY=VALUE flags into a context; a key given more
// than once (in any case, as AWS keys are case-insensitive) is multi-valued.
func parseContextFlags(flags []string) (policy.Context, error) {
	var keys []string // first spelling of each key, in order
	vals := make(map[string][]string)
	for _, kv := range flags {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return policy.Context{}, fmt.Errorf("--context %q: want KEY=VALUE", kv)
		}
		lk := strings.ToLower(k)
		if _, seen := vals[lk]; !seen {
			keys = append(keys, k)
		}
		vals[lk] = append(vals[lk], v)
	}
	var ctx policy.Context
	for _, k := range keys {
		ctx.Set(k, vals[strings.ToLower(k)]...)
	}
	return ctx, nil
}

// printResultTable writes "decision: X", the explanation as a table, and
// the missing context keys, if any.
func printResultTable(g *globals, res *policy.Result) error {
	if _, err := fmt.Fprintf(g.stdout, "decision: %s\n", res.Decision); err != nil {
		return err
	}
	if err := writeExplanation(g, res.Explanation); err != nil {
		return err
	}
	if len(res.MissingContext) == 0 {
		return nil
	}
	_, err := fmt.Fprintf(g.stdout, "missing context: %s\n", strings.Join(res.MissingContext, ", "))
	return err
}

func writeExplanation(g *globals, reasons []policy.Reason) error {
	t := newTable(g.stdout, "LAYER", "LEVEL", "POLICY", "SID", "STATEMENT", "EFFECT", "NOTE")
	for _, r := range reasons {
		t.row(reasonCells(r)...)
	}
	return t.flush()
}

// reasonCells renders a reason as table cells, with "-" for what does not
// apply, as Reason.MarshalJSON leaves those fields out.
func reasonCells(r policy.Reason) []string {
	layer, level := r.Layer.String(), "-"
	if r.Layer == 0 {
		layer = "aws"
	}
	if r.Layer == policy.LayerSCP || r.Layer == policy.LayerRCP {
		level = strconv.Itoa(r.Level)
	}
	stmt, effect := "-", "-"
	if r.Statement >= 0 {
		stmt, effect = strconv.Itoa(r.Statement), r.Effect.String()
	}
	note := r.Message
	if r.Conditional {
		note = "applies if its conditions on missing context hold"
	}
	return []string{layer, level, dash(r.Policy), dash(r.Sid), stmt, effect, dash(note)}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// NOTE(can): appendResultFields writes what policy.Result.MarshalJSON
// writes, without its braces, and without reflection or allocation: batch
// output through encoding/json cost more than evaluation itself.
// TestAppendResultFields holds the two in step; the right home for this is
// an AppendJSON method in package policy.

// appendResultFields appends "decision":…,"missing_context":[…],"explanation":[…].
func appendResultFields(dst []byte, res *policy.Result) []byte {
	dst = append(dst, `"decision":`...)
	dst = appendJSONString(dst, res.Decision.String())
	dst = append(dst, `,"missing_context":[`...)
	for i, k := range res.MissingContext {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
	}
	dst = append(dst, `],"explanation":[`...)
	for i := range res.Explanation {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendReason(dst, &res.Explanation[i])
	}
	return append(dst, ']')
}

// appendReason appends the JSON object policy.Reason.MarshalJSON writes.
func appendReason(dst []byte, r *policy.Reason) []byte {
	layer := r.Layer.String()
	if r.Layer == 0 {
		layer = "aws"
	}
	dst = appendJSONString(append(dst, `{"layer":`...), layer)
	if r.Layer == policy.LayerSCP || r.Layer == policy.LayerRCP {
		dst = strconv.AppendInt(append(dst, `,"level":`...), int64(r.Level), 10)
	}
	if r.Policy != "" {
		dst = appendJSONString(append(dst, `,"policy":`...), r.Policy)
	}
	if r.Sid != "" {
		dst = appendJSONString(append(dst, `,"sid":`...), r.Sid)
	}
	if r.Statement >= 0 {
		dst = strconv.AppendInt(append(dst, `,"statement":`...), int64(r.Statement), 10)
		dst = appendJSONString(append(dst, `,"effect":`...), r.Effect.String())
	}
	if r.Conditional {
		dst = append(dst, `,"conditional":true`...)
	}
	if r.Message != "" {
		dst = appendJSONString(append(dst, `,"message":`...), r.Message)
	}
	return append(dst, '}')
}

// appendJSONString appends s quoted as encoding/json quotes it (with HTML
// escaping): printable ASCII directly, anything else through json.Marshal.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
