package main

import (
	"embed"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/spf13/cobra"
)

// demoFiles is the demo scenario: scenario.json and the policies it names.
// A package-level variable because go:embed requires one; it is read-only.
//
//go:embed demo/*.json
var demoFiles embed.FS

// demoScenario is demo/scenario.json: who holds which policies, the SCPs of
// each account from the root down, and the requests to decide.
type demoScenario struct {
	Title      string                   `json:"title"`
	Principals map[string]demoPrincipal `json:"principals"`
	SCPs       map[string][][]string    `json:"scps"`
	Requests   []demoRequest            `json:"requests"`
}

type demoPrincipal struct {
	Identity []string `json:"identity_policies"`
	Boundary []string `json:"boundary"`
}

type demoRequest struct {
	Ask             string              `json:"ask"`
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	ResourceAccount string              `json:"resource_account,omitempty"`
	ResourcePolicy  string              `json:"resource_policy,omitempty"`
	Context         map[string][]string `json:"context,omitempty"`
	ContextComplete bool                `json:"context_complete,omitempty"`
	Note            string              `json:"note"`
}

// demoAnswer is one JSON line of "demo -o json".
type demoAnswer struct {
	demoRequest
	Result policy.Result `json:"result"`
}

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Decide and explain a built-in scenario: an AI agent with a copied admin policy",
		Long: `demo evaluates a small built-in organization: an AI support agent's role,
trusted by Amazon Bedrock, that was given a copy of AdministratorAccess and a
permissions boundary; an OU guardrail SCP; and a bucket policy in another
account. For each request it prints the question, the decision and the
statements that made it, as "permgraph can" would. With -o json it prints
one JSON object per request.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runDemo(g) },
	}
}

func runDemo(g *globals) error {
	sc, err := loadDemo()
	if err != nil {
		return err
	}
	pols := make(map[string]*policy.Compiled)
	if g.output != outputJSON {
		if _, err := fmt.Fprintf(g.stdout, "Scenario: %s\n", sc.Title); err != nil {
			return err
		}
	}
	for i, r := range sc.Requests {
		res, err := decideDemo(sc, pols, &r)
		if err != nil {
			return fmt.Errorf("demo/scenario.json: requests[%d]: %w", i, err)
		}
		if g.output == outputJSON {
			err = printJSONLine(g.stdout, demoAnswer{demoRequest: r, Result: res})
		} else {
			err = printDemoAnswer(g, i+1, &r, &res)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func loadDemo() (*demoScenario, error) {
	data, err := demoFiles.ReadFile("demo/scenario.json")
	if err != nil {
		return nil, err
	}
	var sc demoScenario
	if err := decodeStrict(data, &sc); err != nil {
		return nil, fmt.Errorf("demo/scenario.json: %w", err)
	}
	return &sc, nil
}

// decideDemo builds the policy set of one request from the scenario (the
// principal's policies, its account's SCPs, the resource policy) and
// evaluates it. pols caches compiled files by name.
func decideDemo(sc *demoScenario, pols map[string]*policy.Compiled, r *demoRequest) (policy.Result, error) {
	var ctx policy.Context
	for k, v := range r.Context {
		ctx.Set(k, v...)
	}
	ctx.Complete = r.ContextComplete
	req, err := policy.NewRequest(policy.Request{Principal: r.Principal, Action: r.Action,
		Resource: r.Resource, ResourceAccount: r.ResourceAccount, Context: ctx})
	if err != nil {
		return policy.Result{}, err
	}
	l := demoLoader{pols: pols}
	p := sc.Principals[r.Principal]
	set := &policy.Set{Identity: l.files(p.Identity), Boundary: l.files(p.Boundary)}
	if acct := arnAccount(r.Principal); acct != "" {
		for _, lv := range sc.SCPs[acct] {
			set.SCPs = append(set.SCPs, l.files(lv))
		}
	}
	if r.ResourcePolicy != "" {
		set.Resource = l.file(r.ResourcePolicy)
	}
	if l.err != nil {
		return policy.Result{}, l.err
	}
	return policy.Evaluate(req, set), nil
}

// arnAccount returns the account field of an ARN, "" for anything else.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// demoLoader compiles embedded policy files, once each, keeping the first
// error.
type demoLoader struct {
	pols map[string]*policy.Compiled
	err  error
}

func (l *demoLoader) files(names []string) []*policy.Compiled {
	if names == nil {
		return nil
	}
	out := make([]*policy.Compiled, 0, len(names))
	for _, n := range names {
		out = append(out, l.file(n))
	}
	return out
}

func (l *demoLoader) file(name string) *policy.Compiled {
	if c, ok := l.pols[name]; ok || l.err != nil {
		return c
	}
	file := path.Join("demo", name)
	data, err := demoFiles.ReadFile(file)
	if err != nil {
		l.err = err
		return nil
	}
	p, err := policy.Parse(data)
	if err != nil {
		l.err = fmt.Errorf("%s: %w", file, err)
		return nil
	}
	c, err := policy.Compile(name, p)
	if err != nil {
		l.err = fmt.Errorf("demo/%w", err)
		return nil
	}
	l.pols[name] = c
	return c
}

// printDemoAnswer writes one request in plain words, then its decision and
// explanation as "permgraph can" prints them, then why it matters.
func printDemoAnswer(g *globals, n int, r *demoRequest, res *policy.Result) error {
	w := g.stdout
	fmt.Fprintf(w, "\n%d. %s\n", n, r.Ask)
	fmt.Fprintf(w, "   %s -> %s on %s\n", r.Principal, r.Action, r.Resource)
	if ctx := contextLine(r); ctx != "" {
		fmt.Fprintf(w, "   context: %s\n", ctx)
	}
	if err := printResultTable(g, res); err != nil {
		return err
	}
	return writeWrapped(w, "   why: ", r.Note)
}

// contextLine lists the request's context keys, sorted, with whether the
// context is complete.
func contextLine(r *demoRequest) string {
	keys := make([]string, 0, len(r.Context))
	for k := range r.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range r.Context[k] {
			parts = append(parts, k+"="+v)
		}
	}
	if r.ContextComplete {
		parts = append(parts, "(complete: keys not listed are absent)")
	}
	return strings.Join(parts, " ")
}

// writeWrapped writes text after prefix, wrapped at about 78 columns, with
// continuation lines indented like the prefix.
func writeWrapped(w io.Writer, prefix, text string) error {
	line, indent := prefix, strings.Repeat(" ", len(prefix))
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > 78 && strings.TrimSpace(line) != "" && line != prefix {
			if _, err := fmt.Fprintln(w, line); err != nil {
				return err
			}
			line = indent
		}
		if line != prefix && line != indent {
			line += " "
		}
		line += word
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
