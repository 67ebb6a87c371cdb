package awsingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultAssumeRoleName is the role Organizations creates in every account
// it creates.
const DefaultAssumeRoleName = "OrganizationAccountAccessRole"

// Options control [Collect].
type Options struct {
	// AssumeRoleName is the role assumed in each account other than the
	// caller's; "" for [DefaultAssumeRoleName].
	AssumeRoleName string
	// Accounts, if set, restricts the accounts read (the organization is
	// still read whole).
	Accounts []string
	// Regions are the regions whose regional resources (KMS keys, SQS queues,
	// Lambda functions, Secrets Manager secrets, SNS topics, ECR
	// repositories) are read;
	// nil for the config's region alone.
	Regions []string
	// Concurrency is how many accounts are read at once; < 1 reads one.
	Concurrency int
	// PollInterval is the wait between polls of the credential report and
	// of Access Advisor jobs; 0 polls without waiting.
	PollInterval time.Duration
	// SkipCredentialReport, SkipLastAccessed and SkipResources leave out
	// the optional parts of an account.
	SkipCredentialReport, SkipLastAccessed, SkipResources bool
	// Progress, if set, is called as each account enters a phase, from the
	// account's goroutine: it must be safe for concurrent use.
	Progress func(Progress)
}

// DefaultOptions are the CLI's defaults.
func DefaultOptions() Options {
	return Options{AssumeRoleName: DefaultAssumeRoleName, Concurrency: 4, PollInterval: 2 * time.Second}
}

// Progress reports an account entering a phase.
type Progress struct {
	Account string // "" for the organization
	Phase   string // one of the Phase constants
	// Done accounts of Total, when the event is sent.
	Done, Total int
}

// Phases of [Progress].
const (
	PhaseOrganization     = "organization"
	PhaseAssumeRole       = "assume-role"
	PhaseAuthorization    = "authorization-details"
	PhaseCredentialReport = "credential-report"
	PhaseLastAccessed     = "last-accessed"
	PhaseResources        = "resources"
	PhaseDone             = "done"
	PhaseFailed           = "failed"
)

// Collection is what [Collect] read, in the bundle's JSON shapes.
type Collection struct {
	// Caller is the account whose credentials were used.
	Caller string
	// Missing are the accounts that could not be read, by id.
	Missing []MissingAccount
	// Skipped are the organization's accounts not read on purpose: not
	// ACTIVE, or not in Options.Accounts.
	Skipped []string
	// Warnings are what was left out of accounts that were read (a
	// resource service that failed, an Access Advisor job that failed).
	Warnings []string
	// Took is how long Collect took.
	Took time.Duration

	org      *orgFile // nil without Organizations
	accounts map[string]*accountData
}

// MissingAccount is an account that could not be read.
type MissingAccount struct {
	ID  string
	Err error
}

// ErrNoAccounts is returned when there is no account to read.
var ErrNoAccounts = errors.New("awsingest: no account to read")

// accountData is one accounts/<id>/ directory.
type accountData struct {
	id               string
	gaad             *gaadFile
	credentialReport []byte            // nil when not read
	resources        []resource        // nil when not read
	lastAccessed     []principalAccess // nil when not read
	resourcesRead    bool
	lastAccessedRead bool
}

// AccountIDs returns the ids of the accounts read, sorted.
func (c *Collection) AccountIDs() []string { return slices.Sorted(maps.Keys(c.accounts)) }

// MissingIDs returns the ids of Missing.
func (c *Collection) MissingIDs() []string {
	var ids []string
	for _, m := range c.Missing {
		ids = append(ids, m.ID)
	}
	return ids
}

// Collect reads the organization and its accounts with cfg's credentials
// (see the package doc). Failing to identify the caller or to read the
// organization is an error; failing to read an account is not: it is listed
// in Collection.Missing. Without Organizations (the caller's account is in
// no organization), only the caller's account is read.
func Collect(ctx context.Context, cfg aws.Config, opts Options) (*Collection, error) {
	start := time.Now()
	if opts.AssumeRoleName == "" {
		opts.AssumeRoleName = DefaultAssumeRoleName
	}
	if len(opts.Regions) == 0 {
		opts.Regions = []string{cfg.Region}
	}
	stsc := sts.NewFromConfig(cfg)
	id, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("awsingest: sts:GetCallerIdentity: %w", err)
	}
	c := &Collection{Caller: aws.ToString(id.Account), accounts: map[string]*accountData{}}
	report(opts, Progress{Phase: PhaseOrganization})
	c.org, err = readOrg(ctx, organizations.NewFromConfig(cfg))
	switch {
	case isCode(err, "AWSOrganizationsNotInUseException"):
		c.org = nil
	case err != nil:
		return nil, fmt.Errorf("awsingest: %w", err)
	}
	todo := c.accountsToRead(opts)
	if len(todo) == 0 {
		return nil, ErrNoAccounts
	}
	r := &reader{cfg: cfg, sts: stsc, opts: opts, caller: c.Caller, total: len(todo)}
	r.run(ctx, c, todo)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(c.Missing, func(a, b MissingAccount) int { return cmp.Compare(a.ID, b.ID) })
	slices.Sort(c.Warnings)
	c.Took = time.Since(start)
	return c, nil
}

// accountsToRead returns the accounts to read, and records the others as
// skipped.
func (c *Collection) accountsToRead(opts Options) []string {
	if c.org == nil {
		return []string{c.Caller}
	}
	var todo []string
	for _, a := range c.org.Accounts {
		switch {
		case len(opts.Accounts) > 0 && !slices.Contains(opts.Accounts, a.Id):
			c.Skipped = append(c.Skipped, a.Id)
		case a.Status != "" && a.Status != "ACTIVE":
			c.Skipped = append(c.Skipped, a.Id)
		default:
			todo = append(todo, a.Id)
		}
	}
	slices.Sort(c.Skipped)
	slices.Sort(todo)
	return todo
}

// reader reads accounts concurrently.
type reader struct {
	cfg    aws.Config
	sts    stscreds.AssumeRoleAPIClient
	opts   Options
	caller string
	total  int

	mu   sync.Mutex
	done int
}

func (r *reader) run(ctx context.Context, c *Collection, todo []string) {
	var wg sync.WaitGroup
	next := make(chan string)
	for range max(1, min(r.opts.Concurrency, len(todo))) {
		wg.Go(func() {
			for id := range next {
				a, warnings, err := r.account(ctx, id)
				r.mu.Lock()
				r.done++
				phase := PhaseDone
				if err != nil {
					phase = PhaseFailed
					c.Missing = append(c.Missing, MissingAccount{ID: id, Err: err})
				} else {
					c.accounts[id] = a
				}
				for _, w := range warnings {
					c.Warnings = append(c.Warnings, "account "+id+": "+w)
				}
				done := r.done
				r.mu.Unlock()
				report(r.opts, Progress{Account: id, Phase: phase, Done: done, Total: r.total})
			}
		})
	}
	for _, id := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- id
	}
	close(next)
	wg.Wait()
}

func (r *reader) progress(id, phase string) {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	report(r.opts, Progress{Account: id, Phase: phase, Done: done, Total: r.total})
}

func report(opts Options, p Progress) {
	if opts.Progress != nil {
		opts.Progress(p)
	}
}

// account reads one account. An error makes the account missing; warnings
// name the optional parts left out.
func (r *reader) account(ctx context.Context, id string) (*accountData, []string, error) {
	cfg, err := r.accountConfig(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	a := &accountData{id: id}
	iamc := iam.NewFromConfig(cfg)
	r.progress(id, PhaseAuthorization)
	if a.gaad, err = readGAAD(ctx, iamc); err != nil {
		return nil, nil, err
	}
	var warnings []string
	warn := func(err error) { warnings = append(warnings, err.Error()) }
	if !r.opts.SkipCredentialReport {
		r.progress(id, PhaseCredentialReport)
		if a.credentialReport, err = readCredentialReport(ctx, iamc, r.opts.PollInterval); err != nil {
			warn(err)
		}
	}
	if !r.opts.SkipLastAccessed {
		r.progress(id, PhaseLastAccessed)
		var ws []string
		if a.lastAccessed, ws, err = readLastAccessed(ctx, iamc, a.gaad.principals(), r.opts.PollInterval); err != nil {
			warn(err)
		} else {
			a.lastAccessedRead = true
		}
		warnings = append(warnings, ws...)
	}
	if !r.opts.SkipResources {
		r.progress(id, PhaseResources)
		a.resourcesRead = true
		a.resources = []resource{}
		s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = customS3Endpoint(cfg) })
		if rs, err := readBuckets(ctx, s3c, partition(cfg.Region)); err != nil {
			warn(err)
		} else {
			a.resources = append(a.resources, rs...)
		}
		for _, region := range r.opts.Regions {
			regional := []func() ([]resource, error){
				func() ([]resource, error) {
					return readKeys(ctx, kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = region }))
				},
				func() ([]resource, error) {
					return readQueues(ctx, sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.Region = region }))
				},
				func() ([]resource, error) {
					return readFunctions(ctx, lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.Region = region }))
				},
				func() ([]resource, error) {
					return readSecrets(ctx, secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.Region = region }))
				},
				func() ([]resource, error) {
					return readTopics(ctx, sns.NewFromConfig(cfg, func(o *sns.Options) { o.Region = region }))
				},
				func() ([]resource, error) {
					return readRepositories(ctx, ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.Region = region }))
				},
			}
			for _, read := range regional {
				if rs, err := read(); err != nil {
					warn(fmt.Errorf("%s: %w", region, err))
				} else {
					a.resources = append(a.resources, rs...)
				}
			}
		}
	}
	return a, warnings, ctx.Err()
}

// accountConfig returns the config to read account id with: cfg for the
// caller's account, else cfg with credentials of the assumed role, checked
// once here so that a denied AssumeRole fails the account at once.
func (r *reader) accountConfig(ctx context.Context, id string) (aws.Config, error) {
	if id == r.caller {
		return r.cfg, nil
	}
	r.progress(id, PhaseAssumeRole)
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition(r.cfg.Region), id, r.opts.AssumeRoleName)
	creds := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(r.sts, arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "permgraph-ingest"
	}))
	if _, err := creds.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("sts:AssumeRole %s: %w", arn, err)
	}
	cfg := r.cfg.Copy()
	cfg.Credentials = creds
	return cfg, nil
}

// principals returns the ARNs of the users and roles, in order.
func (g *gaadFile) principals() []string {
	var arns []string
	for _, u := range g.UserDetailList {
		arns = append(arns, aws.ToString(u.Arn))
	}
	for _, r := range g.RoleDetailList {
		arns = append(arns, aws.ToString(r.Arn))
	}
	return arns
}

// OrgID returns the organization's id, or "" when the caller's account is
// in no organization.
func (c *Collection) OrgID() string {
	if c.org == nil {
		return ""
	}
	return c.org.Organization.Id
}

// Source names what was read, for a snapshot's Meta.Source: "aws:<org-id>",
// or "aws:<account-id>" without an organization.
func (c *Collection) Source() string {
	if id := c.OrgID(); id != "" {
		return "aws:" + id
	}
	return "aws:" + c.Caller
}
