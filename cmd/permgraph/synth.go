package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/permgraph/permgraph/ingest/synth"
	"github.com/spf13/cobra"
)

// synthResult is what "synth -o json" prints.
type synthResult struct {
	Out              string  `json:"out"`
	Size             string  `json:"size"`
	Seed             uint64  `json:"seed"`
	Seconds          float64 `json:"seconds"`
	Bytes            int64   `json:"bytes"`
	Files            int     `json:"files"`
	Accounts         int     `json:"accounts"`
	AccountDirs      int     `json:"account_dirs"`
	OUs              int     `json:"ous"`
	SCPs             int     `json:"scps"`
	RCPs             int     `json:"rcps"`
	Users            int     `json:"users"`
	Groups           int     `json:"groups"`
	Roles            int     `json:"roles"`
	CustomerPolicies int     `json:"customer_managed_policies"`
	PolicyVersions   int     `json:"policy_versions"`
	Resources        int     `json:"resources"`
	ResourcePolicies int     `json:"resource_policies"`
	Escalations      int     `json:"planted_escalations"`
	Manifest         string  `json:"manifest"`
}

func newSynthCmd(g *globals) *cobra.Command {
	var (
		size  = "S"
		seed  uint64
		force bool
	)
	cmd := &cobra.Command{
		Use:   "synth [--size S|M|L|XL] [--seed N] [--force] OUT",
		Short: "Write a synthetic org bundle that looks like a real AWS organization",
		Long: `synth writes an org bundle (the directory "permgraph collect" writes) into
OUT: an OU tree with SCPs and RCPs, and accounts holding people, workloads,
AI agents, CI and third-party roles, customer and AWS managed policies,
resource policies, credential reports and last-accessed data, with a few
privilege-escalation paths planted on purpose and listed in OUT/planted.json.

Sizes: S is 2 accounts and ~300 identities, M 10 and ~3,000, L 50 and
~25,000, XL 200 and ~100,000. The same size and seed always write the same
bytes. OUT is written atomically; an existing non-empty OUT is refused
unless --force is given.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sz, err := synth.ParseSize(size)
			if err != nil {
				return err
			}
			return runSynth(cmd.Context(), g, args[0], synth.Options{Size: sz, Seed: seed, Force: force})
		},
	}
	f := cmd.Flags()
	f.StringVar(&size, "size", size, "organization size: S, M, L or XL")
	f.Uint64Var(&seed, "seed", 1, "random seed; the same seed writes the same bytes")
	f.BoolVar(&force, "force", false, "replace OUT if it exists and is not empty")
	return cmd
}

func runSynth(ctx context.Context, g *globals, out string, opts synth.Options) error {
	if f, ok := g.stderr.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		opts.Progress = func(done, total int, id, name string) {
			fmt.Fprintf(f, "\rsynth: account %d/%d %s %-30s", done, total, id, name)
			if done == total {
				fmt.Fprintln(f)
			}
		}
	}
	start := time.Now()
	st, err := synth.Write(ctx, out, opts)
	if err != nil {
		return err
	}
	took := time.Since(start)
	g.log.Info().Str("out", out).Str("size", opts.Size.String()).Uint64("seed", opts.Seed).
		Int("accounts", st.Accounts).Int("identities", st.Identities()).Int64("bytes", st.Bytes).
		Dur("took", took).Msg("bundle written")
	res := synthResult{Out: out, Size: opts.Size.String(), Seed: opts.Seed, Seconds: took.Seconds(), Bytes: st.Bytes, Files: st.Files,
		Accounts: st.Accounts, AccountDirs: st.AccountDirs, OUs: st.OUs, SCPs: st.SCPs, RCPs: st.RCPs,
		Users: st.Users, Groups: st.Groups, Roles: st.Roles, CustomerPolicies: st.CustomerPolicies, PolicyVersions: st.PolicyVersions,
		Resources: st.Resources, ResourcePolicies: st.ResourcePolicies, Escalations: st.Escalations,
		Manifest: out + string(os.PathSeparator) + synth.ManifestFile}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	return printSynthTable(g.stdout, res, st)
}

func printSynthTable(w io.Writer, r synthResult, st *synth.Stats) error {
	c := st.Classes
	t := newTable(w)
	t.row("bundle", r.Out)
	t.row("size", fmt.Sprintf("%s (seed %d)", r.Size, r.Seed))
	t.row("accounts", fmt.Sprintf("%d (%d with IAM data), %d OUs, %d SCPs, %d RCPs", r.Accounts, r.AccountDirs, r.OUs, r.SCPs, r.RCPs))
	t.row("identities", fmt.Sprintf("%d: %d users, %d roles, %d groups", st.Identities(), r.Users, r.Roles, r.Groups))
	t.row("classes", fmt.Sprintf("human %d, workload %d, ai-agent %d, ci %d, third-party %d, cross-account %d, service-linked %d",
		c.Human, c.Workload, c.Agent, c.CI, c.ThirdParty, c.CrossAccount, c.ServiceLinked))
	t.row("policies", fmt.Sprintf("%d customer managed (%d versions)", r.CustomerPolicies, r.PolicyVersions))
	t.row("resources", fmt.Sprintf("%d (%d with a policy)", r.Resources, r.ResourcePolicies))
	t.row("planted", fmt.Sprintf("%d escalations, listed in %s", r.Escalations, r.Manifest))
	t.row("written", fmt.Sprintf("%d files, %d bytes in %.1fs", r.Files, r.Bytes, r.Seconds))
	return t.flush()
}
