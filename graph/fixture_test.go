package graph

import (
	"fmt"
	"time"
)

const (
	mgmt = "111111111111"
	prod = "222222222222"
)

// sampleSnapshot is a small org: a management and a prod account under one
// OU, a console user in an admin group, a Lambda role with a boundary, a
// third-party role, an SCP, and a bucket with a resource policy.
func sampleSnapshot() *Snapshot {
	role := "arn:aws:iam::" + prod + ":role/"
	nodes := []Node{
		{ID: "org/o-abc", Kind: KindOrganization, Name: "o-abc"},
		{ID: "root/r-ab12", Kind: KindRoot, Name: "Root"},
		{ID: "ou/ou-ab12-prod", Kind: KindOU, Name: "Prod", Tags: []Tag{{"env", "prod"}}},
		{ID: mgmt, Kind: KindAccount, Name: "management", Account: mgmt},
		{ID: prod, Kind: KindAccount, Name: "prod", Account: prod},
		{ID: "arn:aws:iam::" + prod + ":user/alice", Kind: KindUser, Name: "alice", Account: prod, Path: "/",
			Class: ClassHuman, Identity: &Identity{ConsolePassword: true}},
		{ID: "arn:aws:iam::" + prod + ":group/admins", Kind: KindGroup, Name: "admins", Account: prod, Path: "/"},
		{ID: role + "ingest", Kind: KindRole, ARN: role + "ingest", Name: "ingest", Account: prod, Path: "/",
			Class: ClassWorkload, Tags: []Tag{{"team", "data"}, {"cost", "42"}},
			Identity: &Identity{TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}},
		{ID: role + "vendor", Kind: KindRole, Name: "vendor", Account: prod, Path: "/", Class: ClassThirdParty,
			Identity: &Identity{TrustPolicy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`}},
		{ID: "arn:aws:iam::aws:policy/AdministratorAccess", Kind: KindPolicy, Name: "AdministratorAccess",
			Policy: &Policy{Kind: PolicyManaged, DefaultVersionID: "v2", Versions: []PolicyVersion{
				{ID: "v1", Document: `{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`},
				{ID: "v2", Document: `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}}},
		{ID: "arn:aws:iam::" + prod + ":policy/boundary", Kind: KindPolicy, Name: "boundary", Account: prod, Path: "/",
			Policy: &Policy{Kind: PolicyManaged, DefaultVersionID: "v1", Versions: []PolicyVersion{
				{ID: "v1", Document: `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}}}},
		{ID: role + "ingest#inline/read", Kind: KindPolicy, Name: "read", Account: prod,
			Policy: &Policy{Kind: PolicyInline, Versions: []PolicyVersion{
				{Document: `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`}}}},
		{ID: "arn:aws:organizations::" + mgmt + ":policy/o-abc/service_control_policy/p-deny", Kind: KindPolicy,
			Name: "deny-leave", Account: mgmt, Policy: &Policy{Kind: PolicySCP, Versions: []PolicyVersion{
				{Document: `{"Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`}}}},
		{ID: "arn:aws:s3:::data", Kind: KindResource, ARN: "arn:aws:s3:::data", Name: "data", Account: prod,
			Tags: []Tag{{"classification", "secret"}}, Resource: &Resource{Type: "s3:bucket",
				Policy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role + `ingest"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`}},
		{ID: "arn:aws:s3:::data#policy", Kind: KindPolicy, Account: prod, Policy: &Policy{Kind: PolicyResource,
			Versions: []PolicyVersion{{Document: `{"Statement":[]}`}}}},
		{ID: "service/lambda.amazonaws.com", Kind: KindServicePrincipal, Name: "lambda.amazonaws.com"},
		{ID: "arn:aws:iam::999999999999:root", Kind: KindExternalPrincipal, Account: "999999999999"},
	}
	edges := []Edge{
		{"root/r-ab12", "org/o-abc", EdgeChildOf},
		{"ou/ou-ab12-prod", "root/r-ab12", EdgeChildOf},
		{mgmt, "root/r-ab12", EdgeChildOf},
		{prod, "ou/ou-ab12-prod", EdgeChildOf},
		{nodes[5].ID, nodes[6].ID, EdgeMemberOf},
		{nodes[6].ID, "arn:aws:iam::aws:policy/AdministratorAccess", EdgeAttached},
		{role + "ingest", role + "ingest#inline/read", EdgeAttached},
		{role + "ingest", "arn:aws:iam::" + prod + ":policy/boundary", EdgeBoundary},
		{role + "ingest", "service/lambda.amazonaws.com", EdgeTrusts},
		{role + "vendor", "arn:aws:iam::999999999999:root", EdgeTrusts},
		{nodes[5].ID, prod, EdgeInAccount},
		{role + "ingest", prod, EdgeInAccount},
		{"arn:aws:s3:::data", prod, EdgeInAccount},
		{nodes[12].ID, "ou/ou-ab12-prod", EdgePolicyTarget},
		{"arn:aws:s3:::data", "arn:aws:s3:::data#policy", EdgeHasPolicy},
	}
	s := &Snapshot{
		Meta: Meta{
			Created:         time.Date(2026, 11, 23, 10, 15, 0, 123456789, time.UTC),
			Source:          "bundle:testdata/org",
			Warnings:        []string{"account 333333333333: AccessDenied on GetAccountAuthorizationDetails"},
			MissingAccounts: []string{"333333333333"},
		},
		Nodes: nodes,
		Edges: edges,
	}
	s.Meta.Counts = s.Tally()
	return s
}

// largeSnapshot has n nodes: one account and n-1 roles, each with an
// InAccount edge and a trust policy, roughly the size of a real role.
func largeSnapshot(n int, source string) *Snapshot {
	s := &Snapshot{Meta: Meta{Created: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Source: source}}
	s.Nodes = make([]Node, 0, n)
	s.Edges = make([]Edge, 0, n)
	s.Nodes = append(s.Nodes, Node{ID: prod, Kind: KindAccount, Account: prod})
	for i := 1; i < n; i++ {
		arn := fmt.Sprintf("arn:aws:iam::%s:role/service/role-%07d", prod, i)
		s.Nodes = append(s.Nodes, Node{ID: arn, Kind: KindRole, ARN: arn, Name: fmt.Sprintf("role-%07d", i),
			Account: prod, Path: "/service/", Class: ClassWorkload, Identity: &Identity{
				TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}})
		s.Edges = append(s.Edges, Edge{From: arn, To: prod, Kind: EdgeInAccount})
	}
	s.Meta.Counts = s.Tally()
	return s
}
