package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	awsingest "github.com/permgraph/permgraph/ingest/aws"
	"github.com/spf13/cobra"
)

const collectLong = `collect reads an AWS organization and writes it as an org bundle
(DESIGN.md §6), for "permgraph ingest DIR" here or on another machine.

"collect aws" uses the standard credential chain (environment, shared config
and SSO profiles with --profile, IMDS) of the management account or of a
delegated administrator. It reads the organization, its SCPs and RCPs, then
every active account, several at a time (--concurrency): the caller's own
account with its own credentials, every other one through sts:AssumeRole
into --assume-role-name. It reads IAM (GetAccountAuthorizationDetails), the
credential report, Access Advisor's action-level last-accessed data, and the
policies and tags of S3 buckets and KMS keys (--regions for KMS, by default
the config's region). An account that cannot be read is reported and left
out; the rest goes on. docs/PERMISSIONS.md lists the permissions needed.

--endpoint-url, or the SDK's AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
sends every request to another endpoint (S3 then uses path-style addresses).

The bundle is written atomically into --out; an existing non-empty --out is
replaced only with --force. On a terminal, progress per account and phase
goes to standard error; a summary is printed at the end.`

// awsFlags are the flags shared by "collect aws" and "ingest aws".
type awsFlags struct {
	profile, region, assumeRoleName, endpointURL string
	accounts, regions                            []string
	concurrency                                  int
	pollInterval                                 time.Duration
	skipLastAccessed, skipCredentialReport       bool
}

func addAWSFlags(cmd *cobra.Command, f *awsFlags) {
	d := awsingest.DefaultOptions()
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "AWS shared config profile")
	fl.StringVar(&f.region, "region", "", "AWS region (default: the profile's or environment's, else us-east-1)")
	fl.StringVar(&f.assumeRoleName, "assume-role-name", d.AssumeRoleName, "role to assume in each member account")
	fl.StringSliceVar(&f.accounts, "accounts", nil, "read only these account ids (comma-separated)")
	fl.StringSliceVar(&f.regions, "regions", nil, "regions whose regional resources (KMS keys) are read (default: --region)")
	fl.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS request to this endpoint")
	fl.IntVar(&f.concurrency, "concurrency", d.Concurrency, "accounts read at once")
	fl.DurationVar(&f.pollInterval, "poll-interval", d.PollInterval, "wait between polls of reports and Access Advisor jobs")
	fl.BoolVar(&f.skipLastAccessed, "skip-last-accessed", false, "do not read Access Advisor last-accessed data")
	fl.BoolVar(&f.skipCredentialReport, "skip-credential-report", false, "do not read the credential report")
}

// collect reads the organization as f says, reporting progress on stderr
// when it is a terminal.
func (f *awsFlags) collect(ctx context.Context, g *globals) (*awsingest.Collection, error) {
	if f.concurrency < 1 {
		return nil, fmt.Errorf("--concurrency must be at least 1")
	}
	cfg, err := awsingest.LoadConfig(ctx, awsingest.ConfigOptions{Profile: f.profile, Region: f.region, EndpointURL: f.endpointURL})
	if err != nil {
		return nil, err
	}
	opts := awsingest.DefaultOptions()
	opts.AssumeRoleName = f.assumeRoleName
	opts.Accounts = f.accounts
	opts.Regions = f.regions
	opts.Concurrency = f.concurrency
	opts.SkipLastAccessed = f.skipLastAccessed
	opts.PollInterval = f.pollInterval
	opts.SkipCredentialReport = f.skipCredentialReport
	if isTerminal(g.stderr) {
		var mu sync.Mutex
		opts.Progress = func(p awsingest.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Account == "" {
				fmt.Fprintf(g.stderr, "%s\n", p.Phase)
				return
			}
			fmt.Fprintf(g.stderr, "[%d/%d] %s %s\n", p.Done, p.Total, p.Account, p.Phase)
		}
	}
	g.log.Debug().Str("profile", f.profile).Str("region", cfg.Region).Int("concurrency", f.concurrency).Msg("collecting")
	return awsingest.Collect(ctx, cfg, opts)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// collectSummary is what "collect aws" prints, and "ingest aws" on stderr.
type collectSummary struct {
	Out      string   `json:"out,omitempty"`
	Source   string   `json:"source"`
	Caller   string   `json:"caller"`
	Accounts []string `json:"accounts"`
	Missing  []string `json:"missing"` // "id: error"
	Skipped  []string `json:"skipped"`
	Warnings []string `json:"warnings"`
	Seconds  float64  `json:"seconds"`
}

func newCollectSummary(col *awsingest.Collection, out string) collectSummary {
	s := collectSummary{Out: out, Source: col.Source(), Caller: col.Caller, Accounts: col.AccountIDs(),
		Missing: []string{}, Skipped: col.Skipped, Warnings: col.Warnings, Seconds: col.Took.Round(time.Millisecond).Seconds()}
	for _, m := range col.Missing {
		s.Missing = append(s.Missing, m.ID+": "+m.Err.Error())
	}
	if s.Skipped == nil {
		s.Skipped = []string{}
	}
	if s.Warnings == nil {
		s.Warnings = []string{}
	}
	return s
}

func (s collectSummary) print(w io.Writer) {
	fmt.Fprintf(w, "%s: %d accounts read, %d missing, %d skipped, %d warnings in %.1fs\n",
		s.Source, len(s.Accounts), len(s.Missing), len(s.Skipped), len(s.Warnings), s.Seconds)
	for _, m := range s.Missing {
		fmt.Fprintf(w, "  missing %s\n", m)
	}
	for _, x := range s.Warnings {
		fmt.Fprintf(w, "  warning %s\n", x)
	}
}

func newCollectCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Read an organization into an org bundle directory",
		Long:  collectLong,
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCollectAWSCmd(g))
	return cmd
}

func newCollectAWSCmd(g *globals) *cobra.Command {
	f := &awsFlags{}
	var (
		out   string
		force bool
	)
	cmd := &cobra.Command{
		Use:   "aws --out DIR",
		Short: "Read an AWS organization into an org bundle",
		Long:  collectLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(out) == "" {
				return fmt.Errorf("--out is required")
			}
			col, err := f.collect(cmd.Context(), g)
			if err != nil {
				return err
			}
			if err := col.WriteBundle(out, force); err != nil {
				return err
			}
			s := newCollectSummary(col, out)
			if g.output == outputJSON {
				return printJSON(g.stdout, s)
			}
			s.print(g.stdout)
			return nil
		},
	}
	addAWSFlags(cmd, f)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the bundle into (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace a non-empty --out")
	return cmd
}
