package awsingest

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgAPI is what readOrg needs from Organizations.
type orgAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	organizations.ListRootsAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListPoliciesAPIClient
	organizations.ListTargetsForPolicyAPIClient
	organizations.ListTagsForResourceAPIClient
}

// The shapes of organization.json (DESIGN.md §6, ingest/bundle.Org).
type (
	orgFile struct {
		Organization        orgOrganization
		Roots               []orgRoot
		OrganizationalUnits []orgOU
		Accounts            []orgAccount
		Policies            []orgPolicy
	}
	orgOrganization struct {
		Id, Arn, FeatureSet, MasterAccountArn, MasterAccountId, MasterAccountEmail string
		AvailablePolicyTypes                                                       []policyType
	}
	policyType struct{ Type, Status string }
	orgRoot    struct {
		Id, Arn, Name string
		PolicyTypes   []policyType
	}
	orgOU struct {
		Id, Arn, Name, ParentId string
		Tags                    []tag
	}
	orgAccount struct {
		Id, Arn, Email, Name, Status, State, JoinedMethod string
		JoinedTimestamp                                   *time.Time `json:",omitempty"`
		ParentId                                          string
		Tags                                              []tag
	}
	orgPolicy struct {
		PolicySummary policySummary
		Content       string
		Targets       []policyTarget
	}
	policySummary struct {
		Id, Arn, Name, Description, Type string
		AwsManaged                       bool
	}
	policyTarget struct{ TargetId, Arn, Name, Type string }
	tag          struct{ Key, Value string }
)

// readOrg reads the organization: the OU tree breadth first from the roots,
// the accounts under each parent, tags, and SCPs and RCPs with their targets.
func readOrg(ctx context.Context, api orgAPI) (*orgFile, error) {
	do, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, fmt.Errorf("organizations:DescribeOrganization: %w", err)
	}
	o := do.Organization
	f := &orgFile{Organization: orgOrganization{
		Id: aws.ToString(o.Id), Arn: aws.ToString(o.Arn), FeatureSet: string(o.FeatureSet),
		MasterAccountArn: aws.ToString(o.MasterAccountArn), MasterAccountId: aws.ToString(o.MasterAccountId),
		MasterAccountEmail: aws.ToString(o.MasterAccountEmail), AvailablePolicyTypes: policyTypes(o.AvailablePolicyTypes),
	}}
	rp := organizations.NewListRootsPaginator(api, &organizations.ListRootsInput{})
	var parents []string
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListRoots: %w", err)
		}
		for _, r := range page.Roots {
			f.Roots = append(f.Roots, orgRoot{Id: aws.ToString(r.Id), Arn: aws.ToString(r.Arn), Name: aws.ToString(r.Name),
				PolicyTypes: policyTypes(r.PolicyTypes)})
			parents = append(parents, aws.ToString(r.Id))
		}
	}
	for len(parents) > 0 {
		parent := parents[0]
		parents = parents[1:]
		ous, err := f.readChildren(ctx, api, parent)
		if err != nil {
			return nil, err
		}
		parents = append(parents, ous...)
	}
	for _, typ := range []types.PolicyType{types.PolicyTypeServiceControlPolicy, types.PolicyTypeResourceControlPolicy} {
		if err := f.readPolicies(ctx, api, typ); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// readChildren reads the OUs and accounts directly under parent and returns
// the OUs' ids.
func (f *orgFile) readChildren(ctx context.Context, api orgAPI, parent string) ([]string, error) {
	var ous []string
	op := organizations.NewListOrganizationalUnitsForParentPaginator(api,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
	for op.HasMorePages() {
		page, err := op.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListOrganizationalUnitsForParent %s: %w", parent, err)
		}
		for _, u := range page.OrganizationalUnits {
			id := aws.ToString(u.Id)
			tags, err := readOrgTags(ctx, api, id)
			if err != nil {
				return nil, err
			}
			f.OrganizationalUnits = append(f.OrganizationalUnits, orgOU{Id: id, Arn: aws.ToString(u.Arn),
				Name: aws.ToString(u.Name), ParentId: parent, Tags: tags})
			ous = append(ous, id)
		}
	}
	ap := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: &parent})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListAccountsForParent %s: %w", parent, err)
		}
		for _, a := range page.Accounts {
			id := aws.ToString(a.Id)
			tags, err := readOrgTags(ctx, api, id)
			if err != nil {
				return nil, err
			}
			f.Accounts = append(f.Accounts, orgAccount{Id: id, Arn: aws.ToString(a.Arn), Email: aws.ToString(a.Email),
				Name: aws.ToString(a.Name), Status: string(a.Status), State: string(a.State),
				JoinedMethod: string(a.JoinedMethod), JoinedTimestamp: a.JoinedTimestamp, ParentId: parent, Tags: tags})
		}
	}
	return ous, nil
}

func (f *orgFile) readPolicies(ctx context.Context, api orgAPI, typ types.PolicyType) error {
	pp := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: typ})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("organizations:ListPolicies %s: %w", typ, err)
		}
		for _, s := range page.Policies {
			p, err := readPolicy(ctx, api, s)
			if err != nil {
				return err
			}
			f.Policies = append(f.Policies, p)
		}
	}
	return nil
}

func readPolicy(ctx context.Context, api orgAPI, s types.PolicySummary) (orgPolicy, error) {
	id := aws.ToString(s.Id)
	p := orgPolicy{PolicySummary: policySummary{Id: id, Arn: aws.ToString(s.Arn), Name: aws.ToString(s.Name),
		Description: aws.ToString(s.Description), Type: string(s.Type), AwsManaged: s.AwsManaged}}
	dp, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
	if err != nil {
		return p, fmt.Errorf("organizations:DescribePolicy %s: %w", id, err)
	}
	if dp.Policy != nil {
		p.Content = aws.ToString(dp.Policy.Content)
	}
	tp := organizations.NewListTargetsForPolicyPaginator(api, &organizations.ListTargetsForPolicyInput{PolicyId: &id})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return p, fmt.Errorf("organizations:ListTargetsForPolicy %s: %w", id, err)
		}
		for _, t := range page.Targets {
			p.Targets = append(p.Targets, policyTarget{TargetId: aws.ToString(t.TargetId), Arn: aws.ToString(t.Arn),
				Name: aws.ToString(t.Name), Type: string(t.Type)})
		}
	}
	return p, nil
}

func readOrgTags(ctx context.Context, api orgAPI, id string) ([]tag, error) {
	tags := []tag{}
	tp := organizations.NewListTagsForResourcePaginator(api, &organizations.ListTagsForResourceInput{ResourceId: &id})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListTagsForResource %s: %w", id, err)
		}
		for _, t := range page.Tags {
			tags = append(tags, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
		}
	}
	return tags, nil
}

func policyTypes(ts []types.PolicyTypeSummary) []policyType {
	out := []policyType{}
	for _, t := range ts {
		out = append(out, policyType{string(t.Type), string(t.Status)})
	}
	return out
}
