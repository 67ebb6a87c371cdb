package index

import (
	"testing"

	"github.com/permgraph/permgraph/graph"
)

// Documents of the fixture. aliceDoc is also bob's inline policy, byte for
// byte, so the two must share one compiled form.
const (
	readOnlyDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadAll","Effect":"Allow",` +
		`"Action":["s3:Get*","s3:List*","ec2:Describe*"],"Resource":"*"}]}`
	aliceDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"AssumeDeploy","Effect":"Allow",` +
		`"Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/deploy"}]}`
	deployV1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	deployV2 = `{"Version":"2012-10-17","Statement":[{"Sid":"Lambda","Effect":"Allow",` +
		`"Action":["lambda:CreateFunction","iam:PassRole"],"Resource":"*"}]}`
	boundaryDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:*"],"Resource":"*"}]}`
	scpDoc      = `{"Version":"2012-10-17","Statement":[{"Sid":"NoLeave","Effect":"Deny",` +
		`"Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	bucketDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::222222222222:role/audit"},"Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::logs/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`
)

// Graph IDs of the fixture.
const (
	orgID      = "org/o-abc"
	rootID     = "root/r-ab12"
	ouID       = "ou/ou-ab12-prod"
	acct1      = "111111111111"
	acct2      = "222222222222"
	aliceID    = "arn:aws:iam::111111111111:user/alice"
	bobID      = "arn:aws:iam::111111111111:user/bob"
	devsID     = "arn:aws:iam::111111111111:group/devs"
	deployID   = "arn:aws:iam::111111111111:role/deploy"
	adminID    = "arn:aws:iam::111111111111:role/admin"
	auditID    = "arn:aws:iam::222222222222:role/audit"
	lambdaID   = "service/lambda.amazonaws.com"
	readOnlyID = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	aliceInl   = "arn:aws:iam::111111111111:user/alice/policy/assume"
	bobInl     = "arn:aws:iam::111111111111:user/bob/policy/assume"
	deployPol  = "arn:aws:iam::111111111111:policy/deploy"
	boundaryID = "arn:aws:iam::111111111111:policy/boundary"
	scpID      = "arn:aws:organizations::999999999999:policy/o-abc/service_control_policy/p-noleave"
	bucketID   = "arn:aws:s3:::logs"
	bucketPol  = "arn:aws:s3:::logs/policy"
)

// fixture is a small org: two accounts under one OU; alice and bob in group
// devs (ReadOnlyAccess); alice and bob each with an identical inline policy;
// roles deploy and admin that trust each other (one strongly connected
// component), deploy also trusting alice; audit in the second account
// trusting the first account and Lambda; an SCP on the root; a bucket with
// its own policy.
func fixture() *graph.Snapshot {
	pol := func(id string, kind graph.PolicyKind, doc string) graph.Node {
		return graph.Node{ID: id, Kind: graph.KindPolicy, ARN: id, Name: id[len(id)-6:],
			Policy: &graph.Policy{Kind: kind, Versions: []graph.PolicyVersion{{Document: doc}}}}
	}
	ident := func(id string, kind graph.NodeKind, name, acct string, class graph.Class) graph.Node {
		return graph.Node{ID: id, Kind: kind, ARN: id, Name: name, Account: acct, Class: class}
	}
	deploy := pol(deployPol, graph.PolicyManaged, "")
	deploy.Policy.DefaultVersionID = "v2"
	deploy.Policy.Versions = []graph.PolicyVersion{{ID: "v1", Document: deployV1}, {ID: "v2", Document: deployV2}}
	nodes := []graph.Node{
		// Out of order on purpose: NodeIDs follow graph IDs, not input order.
		ident(aliceID, graph.KindUser, "alice", acct1, graph.ClassHuman),
		ident(bobID, graph.KindUser, "bob", acct1, graph.ClassHuman),
		{ID: orgID, Kind: graph.KindOrganization, Name: "o-abc"},
		{ID: rootID, Kind: graph.KindRoot, Name: "Root"},
		{ID: ouID, Kind: graph.KindOU, Name: "prod"},
		{ID: acct1, Kind: graph.KindAccount, Name: "dev", Account: acct1},
		{ID: acct2, Kind: graph.KindAccount, Name: "audit", Account: acct2},
		ident(devsID, graph.KindGroup, "devs", acct1, ""),
		ident(deployID, graph.KindRole, "deploy", acct1, graph.ClassWorkload),
		ident(adminID, graph.KindRole, "admin", acct1, graph.ClassWorkload),
		ident(auditID, graph.KindRole, "audit", acct2, graph.ClassThirdParty),
		{ID: lambdaID, Kind: graph.KindServicePrincipal, Name: "lambda.amazonaws.com"},
		pol(readOnlyID, graph.PolicyManaged, readOnlyDoc),
		pol(aliceInl, graph.PolicyInline, aliceDoc),
		pol(bobInl, graph.PolicyInline, aliceDoc),
		deploy,
		pol(boundaryID, graph.PolicyManaged, boundaryDoc),
		pol(scpID, graph.PolicySCP, scpDoc),
		{ID: bucketID, Kind: graph.KindResource, ARN: bucketID, Name: "logs", Account: acct2,
			Resource: &graph.Resource{Type: "s3:bucket", Policy: bucketDoc}},
		pol(bucketPol, graph.PolicyResource, bucketDoc),
	}
	e := func(from, to string, k graph.EdgeKind) graph.Edge { return graph.Edge{From: from, To: to, Kind: k} }
	edges := []graph.Edge{
		e(rootID, orgID, graph.EdgeChildOf),
		e(ouID, rootID, graph.EdgeChildOf),
		e(acct1, ouID, graph.EdgeChildOf),
		e(acct2, ouID, graph.EdgeChildOf),
		e(aliceID, devsID, graph.EdgeMemberOf),
		e(bobID, devsID, graph.EdgeMemberOf),
		e(bobID, devsID, graph.EdgeMemberOf), // a duplicate: kept once
		e(devsID, readOnlyID, graph.EdgeAttached),
		e(aliceID, aliceInl, graph.EdgeAttached),
		e(bobID, bobInl, graph.EdgeAttached),
		e(deployID, deployPol, graph.EdgeAttached),
		e(bobID, boundaryID, graph.EdgeBoundary),
		e(deployID, aliceID, graph.EdgeTrusts),
		e(deployID, adminID, graph.EdgeTrusts),
		e(adminID, deployID, graph.EdgeTrusts),
		e(auditID, acct1, graph.EdgeTrusts),
		e(auditID, lambdaID, graph.EdgeTrusts),
		e(scpID, rootID, graph.EdgePolicyTarget),
		e(bucketID, bucketPol, graph.EdgeHasPolicy),
		e(aliceID, acct1, graph.EdgeInAccount),
		e(bobID, acct1, graph.EdgeInAccount),
		e(devsID, acct1, graph.EdgeInAccount),
		e(deployID, acct1, graph.EdgeInAccount),
		e(adminID, acct1, graph.EdgeInAccount),
		e(auditID, acct2, graph.EdgeInAccount),
		e(bucketID, acct2, graph.EdgeInAccount),
	}
	return &graph.Snapshot{Meta: graph.Meta{ID: "s1", Source: "test:fixture"}, Nodes: nodes, Edges: edges}
}

// buildFixture builds the fixture index, failing the test on error.
func buildFixture(t testing.TB) *Index {
	t.Helper()
	ix, err := Build(fixture(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// must looks up a graph ID that the test knows exists.
func must(t testing.TB, ix *Index, id string) NodeID {
	t.Helper()
	n, ok := ix.Lookup(id)
	if !ok {
		t.Fatalf("Lookup(%q): not found", id)
	}
	return n
}

// ids turns NodeIDs into graph IDs, for readable diffs.
func ids(ix *Index, ns []NodeID) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = ix.Node(n).ID
	}
	return out
}
