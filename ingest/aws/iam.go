package awsingest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamAPI is what an account's read needs from IAM.
type iamAPI interface {
	iam.GetAccountAuthorizationDetailsAPIClient
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	GenerateServiceLastAccessedDetails(context.Context, *iam.GenerateServiceLastAccessedDetailsInput, ...func(*iam.Options)) (*iam.GenerateServiceLastAccessedDetailsOutput, error)
	GetServiceLastAccessedDetails(context.Context, *iam.GetServiceLastAccessedDetailsInput, ...func(*iam.Options)) (*iam.GetServiceLastAccessedDetailsOutput, error)
}

// gaadFile is authorization-details.json: the SDK's shapes, whose field
// names are AWS's, with policy documents URL-decoded.
type gaadFile struct {
	UserDetailList  []types.UserDetail
	GroupDetailList []types.GroupDetail
	RoleDetailList  []roleDetail
	Policies        []types.ManagedPolicyDetail
}

// roleDetail and instanceProfile shadow InstanceProfileList and Roles with
// profileRole, which leaves out what the CLI's output (and so the bundle
// reader) does not have.
type roleDetail struct {
	types.RoleDetail
	InstanceProfileList []instanceProfile
}

type instanceProfile struct {
	types.InstanceProfile
	Roles []profileRole
}

type profileRole struct {
	Path, RoleName, RoleId, Arn, Description *string
	CreateDate                               *time.Time
	AssumeRolePolicyDocument                 *string
	MaxSessionDuration                       *int32
	PermissionsBoundary                      *types.AttachedPermissionsBoundary
	Tags                                     []types.Tag
	RoleLastUsed                             *types.RoleLastUsed
}

// readGAAD reads every page of GetAccountAuthorizationDetails.
func readGAAD(ctx context.Context, api iamAPI) (*gaadFile, error) {
	g := &gaadFile{}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam:GetAccountAuthorizationDetails: %w", err)
		}
		g.UserDetailList = append(g.UserDetailList, page.UserDetailList...)
		g.GroupDetailList = append(g.GroupDetailList, page.GroupDetailList...)
		for _, r := range page.RoleDetailList {
			g.RoleDetailList = append(g.RoleDetailList, newRoleDetail(r))
		}
		g.Policies = append(g.Policies, page.Policies...)
	}
	g.decodeDocuments()
	return g, nil
}

func newRoleDetail(r types.RoleDetail) roleDetail {
	out := roleDetail{RoleDetail: r}
	for _, ip := range r.InstanceProfileList {
		p := instanceProfile{InstanceProfile: ip}
		for _, x := range ip.Roles {
			p.Roles = append(p.Roles, profileRole{Path: x.Path, RoleName: x.RoleName, RoleId: x.RoleId, Arn: x.Arn,
				Description: x.Description, CreateDate: x.CreateDate, AssumeRolePolicyDocument: x.AssumeRolePolicyDocument,
				MaxSessionDuration: x.MaxSessionDuration, PermissionsBoundary: x.PermissionsBoundary, Tags: x.Tags,
				RoleLastUsed: x.RoleLastUsed})
		}
		out.InstanceProfileList = append(out.InstanceProfileList, p)
	}
	return out
}

// decodeDocuments URL-decodes every policy document in place, as the AWS CLI
// does (RFC 3986: "+" stays "+").
func (g *gaadFile) decodeDocuments() {
	inline := func(ps []types.PolicyDetail) {
		for i := range ps {
			unescape(ps[i].PolicyDocument)
		}
	}
	for i := range g.UserDetailList {
		inline(g.UserDetailList[i].UserPolicyList)
	}
	for i := range g.GroupDetailList {
		inline(g.GroupDetailList[i].GroupPolicyList)
	}
	for i := range g.RoleDetailList {
		r := &g.RoleDetailList[i]
		unescape(r.AssumeRolePolicyDocument)
		inline(r.RolePolicyList)
		for j := range r.InstanceProfileList {
			for k := range r.InstanceProfileList[j].Roles {
				unescape(r.InstanceProfileList[j].Roles[k].AssumeRolePolicyDocument)
			}
		}
	}
	for i := range g.Policies {
		for j := range g.Policies[i].PolicyVersionList {
			unescape(g.Policies[i].PolicyVersionList[j].Document)
		}
	}
}

// unescape decodes *s in place. A malformed escape leaves it as it is; the
// bundle reader then reports the document.
func unescape(s *string) {
	if s == nil {
		return
	}
	if d, err := url.PathUnescape(*s); err == nil {
		*s = d
	}
}

// maxPolls bounds the polls of a report or Access Advisor job.
const maxPolls = 120

// errNotReady is returned when a report or job is still not ready after
// maxPolls polls.
var errNotReady = errors.New("not ready after polling")

// readCredentialReport generates the credential report, waiting until it is
// complete, and returns its CSV content.
func readCredentialReport(ctx context.Context, api iamAPI, poll time.Duration) ([]byte, error) {
	for n := 0; ; n++ {
		out, err := api.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, fmt.Errorf("iam:GenerateCredentialReport: %w", err)
		}
		if out.State == types.ReportStateTypeComplete {
			break
		}
		if n == maxPolls {
			return nil, fmt.Errorf("iam:GenerateCredentialReport: %w", errNotReady)
		}
		if err := sleep(ctx, poll); err != nil {
			return nil, err
		}
	}
	out, err := api.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return nil, fmt.Errorf("iam:GetCredentialReport: %w", err)
	}
	return out.Content, nil
}

// principalAccess is an element of last-accessed.json's Principals.
type principalAccess struct {
	Arn                  string
	ServicesLastAccessed []types.ServiceLastAccessed
}

// readLastAccessed starts an action-level Access Advisor job for each of
// arns, then collects them. Principals with no service are left out. A job
// that fails is a warning.
func readLastAccessed(ctx context.Context, api iamAPI, arns []string, poll time.Duration) ([]principalAccess, []string, error) {
	jobs := make([]string, len(arns))
	for i, arn := range arns {
		out, err := api.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
			Arn: aws.String(arn), Granularity: types.AccessAdvisorUsageGranularityTypeActionLevel})
		if err != nil {
			return nil, nil, fmt.Errorf("iam:GenerateServiceLastAccessedDetails %s: %w", arn, err)
		}
		jobs[i] = aws.ToString(out.JobId)
	}
	var (
		out      []principalAccess
		warnings []string
	)
	for i, job := range jobs {
		svcs, err := readJob(ctx, api, job, poll)
		if errors.Is(err, errJobFailed) {
			warnings = append(warnings, fmt.Sprintf("last-accessed %s: %v", arns[i], err))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", arns[i], err)
		}
		if len(svcs) > 0 {
			out = append(out, principalAccess{Arn: arns[i], ServicesLastAccessed: svcs})
		}
	}
	return out, warnings, nil
}

// errJobFailed is returned when Access Advisor reports a job FAILED.
var errJobFailed = errors.New("access advisor job failed")

func readJob(ctx context.Context, api iamAPI, job string, poll time.Duration) ([]types.ServiceLastAccessed, error) {
	var svcs []types.ServiceLastAccessed
	in := &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(job)}
	for n := 0; ; {
		out, err := api.GetServiceLastAccessedDetails(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("iam:GetServiceLastAccessedDetails: %w", err)
		}
		switch out.JobStatus {
		case types.JobStatusTypeFailed:
			msg := ""
			if out.Error != nil {
				msg = aws.ToString(out.Error.Message)
			}
			return nil, fmt.Errorf("%w: %s", errJobFailed, msg)
		case types.JobStatusTypeInProgress:
			if n++; n > maxPolls {
				return nil, fmt.Errorf("iam:GetServiceLastAccessedDetails %s: %w", job, errNotReady)
			}
			if err := sleep(ctx, poll); err != nil {
				return nil, err
			}
			continue
		}
		svcs = append(svcs, out.ServicesLastAccessed...)
		if !out.IsTruncated {
			return svcs, nil
		}
		in.Marker = out.Marker
	}
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
